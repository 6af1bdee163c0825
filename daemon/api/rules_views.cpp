// The review statistics (seed R12, DESIGN §13) and the description deadline
// list (R9) as the API shows them.
#include <boost/json.hpp>
#include <sstream>

#include "daemon/api/json_views.hpp"

namespace dockd::api {
namespace json = boost::json;

json::value stats_json(const std::vector<custody::StatsRow>& rows) {
    json::array out;
    for (const auto& r : rows)
        out.push_back(json::object{
            {"group", r.group},
            {"dockings", r.dockings},
            {"files", r.files},
            {"bytes", r.bytes},
            {"duration_s", r.duration_s ? json::value(*r.duration_s) : json::value(nullptr)},
            {"late_dockings", r.late_dockings},
            {"truncated_files", r.truncated_files ? json::value(*r.truncated_files) : json::value(nullptr)},
            {"described_late", r.described_late},
        });
    return out;
}

std::string stats_csv(const std::vector<custody::StatsRow>& rows, const std::string& by) {
    std::ostringstream out;
    out << "\xEF\xBB\xBF" << csv_field(by)
        << ",dockings,files,bytes,duration_s,late_dockings,truncated_files,described_late\r\n";
    for (const auto& r : rows) {
        out << csv_field(r.group) << ',' << r.dockings << ',' << r.files << ',' << r.bytes << ',';
        if (r.duration_s) out << *r.duration_s;
        out << ',' << r.late_dockings << ',';
        if (r.truncated_files) out << *r.truncated_files;
        out << ',' << r.described_late << "\r\n";
    }
    return out.str();
}

json::value undescribed_json(const std::vector<station::OfficerUndescribed>& list) {
    json::array out;
    for (const auto& o : list) {
        json::array files;
        for (const auto& e : o.files)
            files.push_back(json::object{{"id", e.file.file_id},
                                         {"docking_id", e.file.docking_id},
                                         {"serial", e.file.serial},
                                         {"device_path", e.file.device_path},
                                         {"ingested_at", e.file.ingested_at},
                                         {"due", e.due}});
        out.push_back(
            json::object{{"officer_no", o.officer_no.empty() ? json::value(nullptr) : json::value(o.officer_no)},
                         {"officer_name", o.officer_name},
                         {"unit_name", o.unit_name},
                         {"count", o.count},
                         {"files", std::move(files)}});
    }
    return out;
}

}  // namespace dockd::api
