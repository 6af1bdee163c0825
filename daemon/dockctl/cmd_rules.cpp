// dockctl stats [--from D] [--to D] [--by officer|recorder|unit] [--csv]   annual review (seed R12)
// dockctl undescribed                     files past the description deadline, by officer (R9)
#include <boost/json.hpp>
#include <boost/url/url.hpp>
#include <iostream>

#include "daemon/dockctl/commands.hpp"

namespace dockd::dockctl {
namespace json = boost::json;

int cmd_stats(const Client& c, const std::vector<std::string>& args, const Options& o) {
    if (!args.empty())
        return usage_error("usage: dockctl stats [--from D] [--to D] [--by officer|recorder|unit] [--csv]");
    boost::urls::url target("/api/v1/stats");
    if (o.from) target.params().append({"from", *o.from});
    if (o.to) target.params().append({"to", *o.to});
    const std::string by = o.by.value_or("officer");
    target.params().append({"by", by});
    int code = exit_ok;
    auto rows = report_rows(c, std::string(target.buffer()), o, code);
    if (!rows) return code;
    std::string head = by;
    for (auto& ch : head) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    std::vector<std::vector<std::string>> table{
        {head, "DOCKINGS", "FILES", "SIZE", "DURATION_S", "LATE_DOCKINGS", "TRUNCATED", "DESCRIBED_LATE"}};
    for (const auto& r : rows->as_array())
        table.push_back({str(r.at("group")).empty() ? "(none)" : str(r.at("group")), str(r.at("dockings")),
                         str(r.at("files")), mib(r.at("bytes")), str(r.at("duration_s")), str(r.at("late_dockings")),
                         str(r.at("truncated_files")), str(r.at("described_late"))});
    print_table(table);
    return exit_ok;
}

int cmd_undescribed(const Client& c, const std::vector<std::string>& args, const Options& o) {
    if (!args.empty()) return usage_error("usage: dockctl undescribed");
    int code = exit_ok;
    auto rows = call(c, "GET", "/api/v1/undescribed", {}, code);
    if (!rows) return code;
    if (o.json) {
        std::cout << json::serialize(*rows) << "\n";
        return exit_ok;
    }
    std::vector<std::vector<std::string>> table{{"OFFICER", "FILE", "RECORDER", "PATH", "INGESTED", "DUE"}};
    for (const auto& officer : rows->as_array()) {
        const auto& g = officer.as_object();
        const std::string who = g.at("officer_no").is_null()
                                    ? std::string("(unknown)")
                                    : str(g.at("officer_no")) + " " + str(g.at("officer_name"));
        for (const auto& f : g.at("files").as_array())
            table.push_back({who, str(f.at("id")), str(f.at("serial")), str(f.at("device_path")),
                             str(f.at("ingested_at")), str(f.at("due"))});
    }
    if (table.size() == 1) {
        std::cout << "every file is described within its deadline\n";
        return exit_ok;
    }
    print_table(table);
    return exit_ok;
}

}  // namespace dockd::dockctl
