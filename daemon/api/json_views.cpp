#include "daemon/api/json_views.hpp"

#include <boost/json.hpp>
#include <sstream>

#include "daemon/api/reply.hpp"
#include "daemon/common/time.hpp"
#include "daemon/media/facts_json.hpp"

namespace dockd::api {
namespace json = boost::json;

std::string csv_field(const std::string& s) {
    // A leading = + - @ would run as a formula in a spreadsheet (CSV injection).
    // A plain negative number stays as it is.
    const bool negative_number =
        s.size() > 1 && s[0] == '-' && s.find_first_not_of("0123456789.", 1) == std::string::npos;
    const bool formula =
        !s.empty() && std::string_view("=+-@").find(s[0]) != std::string_view::npos && !negative_number;
    const std::string v = formula ? "'" + s : s;
    if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
    std::string out = "\"";
    for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

namespace {

template <class T>
std::string csv_opt(const std::optional<T>& v) {
    if (!v) return "";
    if constexpr (std::is_same_v<T, std::string>)
        return csv_field(*v);
    else
        return std::to_string(*v);
}

constexpr const char* bom = "\xEF\xBB\xBF";

}  // namespace

std::optional<std::int64_t> span_s(const std::optional<std::string>& from, const std::optional<std::string>& to) {
    if (!from || !to) return std::nullopt;
    // In 64-bit ms: recorded times from a wrong device clock may lie in any year.
    auto a = parse_rfc3339_ms(*from), b = parse_rfc3339_ms(*to);
    if (!a || !b) return std::nullopt;
    return (to_unix_ms(*b) - to_unix_ms(*a)) / 1000;
}

json::value station_json(const station::StationSummary& s) {
    json::array alerts;
    for (const auto& a : s.alerts) alerts.push_back(json::value(a));
    json::array targets;
    for (const auto& t : s.targets) targets.push_back(json::value(t));
    json::array overdue;
    for (const auto& o : s.overdue)
        overdue.push_back(
            json::object{{"serial", o.serial}, {"officer_no", o.officer_no}, {"last_undocked_at", o.last_undocked_at}});
    const char* network = s.targets.empty()     ? "no_targets"
                          : s.queue.failing > 0 ? "failing"
                          : s.queue.pending > 0 ? "uploading"
                                                : "idle";
    json::object queue{{"pending", s.queue.pending},
                       {"failing", s.queue.failing},
                       {"done", s.queue.done},
                       {"files_unarchived", s.queue.files_unarchived},
                       {"last_error", opt(s.queue.last_error)}};
    return json::object{
        {"id", s.id},
        {"name", s.name},
        {"version", s.version},
        {"uptime_s", s.uptime_s},
        {"disk", {{"staging_free_bytes", opt(s.staging_free_bytes)}}},
        {"network", {{"state", network}, {"targets", targets}, {"last_error", opt(s.queue.last_error)}}},
        {"host_clock_synced", s.host_clock_synced},
        {"host_clock_source", s.host_clock_source},
        {"queue", queue},
        {"oldest_unarchived_age_s", s.queue.oldest_unarchived_age_ms
                                        ? json::value(*s.queue.oldest_unarchived_age_ms / 1000)
                                        : json::value(nullptr)},
        {"overdue_recorders", overdue},
        {"undescribed_files", s.undescribed_files},
        {"long_term_short_of_copies", s.long_term_short_of_copies},
        {"public_key", s.public_key_pem},
        {"alerts", alerts},
    };
}

json::value bay_json(const bay::BayStatus& b) {
    json::value recorder = nullptr, officer = nullptr;
    if (!b.serial.empty()) recorder = json::object{{"serial", b.serial}, {"model", b.model}};
    if (!b.officer_no.empty()) officer = json::object{{"no", b.officer_no}, {"name", b.officer_name}};
    json::array gates, notes;
    for (const auto& g : b.gates) gates.push_back(json::object{{"name", g.name}, {"met", g.met}, {"detail", g.detail}});
    for (const auto& n : b.notes) notes.push_back(json::value(n));
    return json::object{
        {"id", b.id},
        {"state", std::string(bay::to_string(b.state))},
        {"safe_to_leave", bay::safe_to_leave(b.state)},
        {"recorder", recorder},
        {"officer", officer},
        {"docking_id", b.docking_id.empty() ? json::value(nullptr) : json::value(b.docking_id)},
        {"battery_percent", opt(b.battery_percent)},
        {"progress",
         {{"files_done", b.files_done},
          {"files_total", b.files_total},
          {"bytes_done", b.bytes_done},
          {"bytes_total", b.bytes_total},
          {"files_refused", b.files_refused},
          {"files_failed", b.files_failed}}},
        {"clock_offset_ms", opt(b.clock_offset_ms)},
        {"clock",
         {{"measured", b.clock_offset_ms.has_value()},
          {"plausible", opt(b.clock_plausible)},
          {"set", opt(b.clock_set)}}},
        {"gates", gates},
        {"ready_rule", b.ready_rule.empty() ? json::value(nullptr) : json::value(b.ready_rule)},
        {"notes", notes},
        {"error", b.error.empty() ? json::value(nullptr) : json::value(b.error)},
    };
}

json::value bays_json(const std::vector<bay::BayStatus>& bays) {
    json::array out;
    for (const auto& b : bays) out.push_back(bay_json(b));
    return out;
}

json::value file_json(const custody::FileRecord& f) {
    return json::object{{"id", f.id},
                        {"docking_id", f.docking_id},
                        {"serial", f.serial},
                        {"device_path", f.device_path},
                        {"size", f.size},
                        {"state", custody::to_string(f.state)},
                        {"reason", opt(f.reason)},
                        {"sha256", opt(f.sha256)},
                        {"object", opt(f.object_key)},
                        {"recorded_at_device", opt(f.recorded_at_device)},
                        {"recorded_at", opt(f.recorded_at)},
                        {"ingested_at", opt(f.ingested_at)},
                        {"verified_at", opt(f.verified_at)},
                        {"wiped_at", opt(f.wiped_at)},
                        {"archived_at", opt(f.archived_at)},
                        {"purged_at", opt(f.purged_at)},
                        {"retention", f.retention},
                        {"retention_class", f.class_name()},
                        {"described_at", opt(f.described_at)},
                        {"important", f.important},
                        {"media", media::facts_json(f.media)}};
}

json::value docking_json(const custody::DockingListRow& r) {
    const auto& d = r.docking;
    return json::object{{"id", d.id},
                        {"bay", d.bay},
                        {"serial", d.serial},
                        {"officer_no", opt(d.officer_no)},
                        {"officer_name", r.officer_name},
                        {"docked_at", d.docked_at},
                        {"undocked_at", opt(d.undocked_at)},
                        {"close_reason", opt(d.close_reason)},
                        {"offload_done_at", opt(d.offload_done_at)},
                        {"battery_in", opt(d.battery_in)},
                        {"battery_out", opt(d.battery_out)},
                        {"clock_offset_ms", opt(d.clock_offset_ms)},
                        {"clock_measured", opt(d.clock_measured)},
                        {"clock_plausible", opt(d.clock_plausible)},
                        {"host_synced", opt(d.host_synced)},
                        {"clock_set", opt(d.clock_set)},
                        {"firmware", opt(d.firmware)},
                        {"device_officer_no", opt(d.device_officer_no)},
                        {"storage_total_bytes", opt(d.storage_total)},
                        {"storage_free_bytes", opt(d.storage_free)},
                        {"ready_rule", opt(d.ready_rule)},
                        {"fault", opt(d.fault)},
                        {"files", r.files},
                        {"bytes", r.bytes}};
}

json::value annotation_json(const custody::Annotation& a) {
    return json::object{{"id", a.id},
                        {"file_id", opt(a.file_id)},
                        {"docking_id", opt(a.docking_id)},
                        {"case_no", a.case_no},
                        {"category", a.category},
                        {"note", a.note},
                        {"place", a.place},
                        {"by", a.by},
                        {"at", a.at}};
}

json::value upload_json(const custody::UploadRow& u) {
    const char* state = u.state == "done" ? "done" : (u.attempts > 0 || u.last_error) ? "failing" : "pending";
    return json::object{{"file_id", u.file_id},
                        {"target", u.target},
                        {"state", state},
                        {"object", u.object_key},
                        {"size", u.size},
                        {"attempts", u.attempts},
                        {"parts_done", u.parts_done},
                        {"next_attempt_ms", u.next_attempt_ms},
                        {"reason", opt(u.reason_class)},
                        {"last_error", opt(u.last_error)}};
}

namespace {

// Seconds with millisecond precision: 12.5, never 12.500000001.
std::optional<double> seconds(const std::optional<std::int64_t>& ms) {
    if (!ms) return std::nullopt;
    return static_cast<double>(*ms) / 1000.0;
}

std::string seconds_text(const std::optional<std::int64_t>& ms) {
    if (!ms) return "";
    std::string frac = std::to_string(1000 + *ms % 1000).substr(1);
    while (!frac.empty() && frac.back() == '0') frac.pop_back();
    return std::to_string(*ms / 1000) + (frac.empty() ? "" : "." + frac);
}

}  // namespace

// Docking rows and assignment rows (kind) share one shape: what does not
// apply to a row is null (an assignment has no bay, files or battery).
json::value ledger_json(const std::vector<custody::LedgerRow>& rows) {
    json::array out;
    for (const auto& r : rows) {
        const bool docking = r.kind == "docking";
        const auto only = [docking](json::value v) { return docking ? v : json::value(nullptr); };
        out.push_back(json::object{{"kind", r.kind},
                                   {"at", r.docked_at},
                                   {"docking_id", only(json::value(r.docking_id))},
                                   {"bay", only(r.bay)},
                                   {"serial", r.serial},
                                   {"vendor", r.vendor},
                                   {"model", r.model},
                                   {"officer_no", r.officer_no},
                                   {"officer_name", r.officer_name},
                                   {"unit_name", r.unit_name},
                                   {"docked_at", only(json::value(r.docked_at))},
                                   {"undocked_at", opt(r.undocked_at)},
                                   {"files", only(r.files)},
                                   {"bytes", only(r.bytes)},
                                   {"refused", only(r.refused)},
                                   {"recorded_from", opt(r.recorded_from)},
                                   {"recorded_to", opt(r.recorded_to)},
                                   {"recorded_span_s", opt(span_s(r.recorded_from, r.recorded_to))},
                                   {"recorded_duration_s", opt(seconds(r.recorded_duration_ms))},
                                   {"truncated_files", only(r.truncated_files)},
                                   {"battery_in", opt(r.battery_in)},
                                   {"battery_out", opt(r.battery_out)},
                                   {"clock_offset_ms", opt(r.clock_offset_ms)},
                                   {"close_reason", opt(r.close_reason)},
                                   {"previous_officer_no", opt(r.previous_officer_no)},
                                   {"assigned_by", opt(r.assigned_by)}});
    }
    return out;
}

json::value access_json(const std::vector<custody::AccessEntry>& rows) {
    json::array out;
    for (const auto& e : rows)
        out.push_back(json::object{{"id", e.id},
                                   {"at", e.at},
                                   {"who", e.who},
                                   {"role", e.role},
                                   {"remote", e.remote},
                                   {"what", e.what},
                                   {"approval_ref", opt(e.approval_ref)}});
    return out;
}

// The JSON's columns, the new ones (issue 14) last so older readers of the
// first twenty still find them where they were.
std::string ledger_csv(const std::vector<custody::LedgerRow>& rows) {
    std::ostringstream out;
    out << bom
        << "docking_id,bay,serial,vendor,model,officer_no,officer_name,unit_name,docked_at,undocked_at,files,bytes,"
           "refused,recorded_from,recorded_to,recorded_span_s,battery_in,battery_out,clock_offset_ms,close_reason,"
           "kind,at,recorded_duration_s,truncated_files,previous_officer_no,assigned_by\r\n";
    for (const auto& r : rows) {
        const bool docking = r.kind == "docking";
        const auto only = [docking](const auto& v) {
            std::ostringstream o;
            if (docking) o << v;
            return o.str();
        };
        out << csv_field(r.docking_id) << ',' << only(r.bay) << ',' << csv_field(r.serial) << ',' << csv_field(r.vendor)
            << ',' << csv_field(r.model) << ',' << csv_field(r.officer_no) << ',' << csv_field(r.officer_name) << ','
            << csv_field(r.unit_name) << ',' << only(r.docked_at) << ',' << csv_opt(r.undocked_at) << ','
            << only(r.files) << ',' << only(r.bytes) << ',' << only(r.refused) << ',' << csv_opt(r.recorded_from) << ','
            << csv_opt(r.recorded_to) << ',' << csv_opt(span_s(r.recorded_from, r.recorded_to)) << ','
            << csv_opt(r.battery_in) << ',' << csv_opt(r.battery_out) << ',' << csv_opt(r.clock_offset_ms) << ','
            << csv_opt(r.close_reason) << ',' << r.kind << ',' << r.docked_at << ','
            << seconds_text(r.recorded_duration_ms) << ',' << only(r.truncated_files) << ','
            << csv_opt(r.previous_officer_no) << ',' << csv_opt(r.assigned_by) << "\r\n";
    }
    return out.str();
}

std::string access_csv(const std::vector<custody::AccessEntry>& rows) {
    std::ostringstream out;
    out << bom << "id,at,who,role,remote,what,approval_ref\r\n";
    for (const auto& e : rows)
        out << e.id << ',' << e.at << ',' << csv_field(e.who) << ',' << e.role << ',' << csv_field(e.remote) << ','
            << csv_field(e.what) << ',' << csv_opt(e.approval_ref) << "\r\n";
    return out.str();
}

}  // namespace dockd::api
