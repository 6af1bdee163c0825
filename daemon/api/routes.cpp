#include "daemon/api/routes.hpp"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <sstream>

#include "daemon/common/fs.hpp"
#include "daemon/common/time.hpp"

namespace dockd::api {
namespace json = boost::json;

namespace {

HttpReply json_reply(int status, const json::value& v) { return {status, "application/json", json::serialize(v) + "\n", {}}; }
HttpReply error_reply(int status, const std::string& code, const std::string& message) {
    return json_reply(status, json::object{{"error", code}, {"message", message}});
}

template <class T>
json::value opt(const std::optional<T>& v) {
    return v ? json::value(*v) : json::value(nullptr);
}

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

template <class T>
std::string csv_opt(const std::optional<T>& v) {
    if (!v) return "";
    if constexpr (std::is_same_v<T, std::string>) return csv_field(*v);
    else return std::to_string(*v);
}

}  // namespace

Routes::Routes(station::Station& station, std::vector<std::string> tokens)
    : station_(station), tokens_(std::move(tokens)) {}

HttpReply Routes::operator()(const HttpRequest& req) {
    if (!tokens_.empty()) {
        const std::string auth = req.header("authorization");
        const std::string prefix = "Bearer ";
        const bool ok = auth.rfind(prefix, 0) == 0 &&
                        std::find(tokens_.begin(), tokens_.end(), auth.substr(prefix.size())) != tokens_.end();
        if (!ok) return error_reply(401, "unauthorized", "a valid bearer token is required");
    }
    auto url = boost::urls::parse_origin_form(req.target);
    if (!url) return error_reply(400, "bad_target", "request target is not a valid origin-form URL");
    const std::string path = url->path();
    if (req.method != "GET") return error_reply(405, "method_not_allowed", req.method + " " + path);
    if (path == "/api/v1/station") return station_summary();
    if (path == "/api/v1/bays") return bays();
    if (path == "/api/v1/ledger") return ledger(req);
    if (path == "/api/v1/audit/verify") return verify();
    return error_reply(404, "not_found", "no route " + path);
}

HttpReply Routes::station_summary() {
    const auto s = station_.summary();
    json::array alerts;
    for (const auto& a : s.alerts) alerts.push_back(json::value(a));
    json::object queue{{"pending", s.queue.pending},
                       {"failing", s.queue.failing},
                       {"done", s.queue.done},
                       {"files_unarchived", s.queue.files_unarchived},
                       {"last_error", opt(s.queue.last_error)}};
    return json_reply(200, json::object{
                               {"id", s.id},
                               {"name", s.name},
                               {"version", s.version},
                               {"uptime_s", s.uptime_s},
                               {"disk", {{"staging_free_bytes", opt(s.staging_free_bytes)}}},
                               {"queue", queue},
                               {"oldest_unarchived_age_s",
                                s.queue.oldest_unarchived_age_ms ? json::value(*s.queue.oldest_unarchived_age_ms / 1000)
                                                                 : json::value(nullptr)},
                               {"public_key", s.public_key_pem},
                               {"alerts", alerts},
                           });
}

HttpReply Routes::bays() {
    json::array out;
    for (const auto& b : station_.bays()) {
        json::value recorder = nullptr, officer = nullptr;
        if (!b.serial.empty()) recorder = json::object{{"serial", b.serial}, {"model", b.model}};
        if (!b.officer_no.empty()) officer = json::object{{"no", b.officer_no}, {"name", b.officer_name}};
        out.push_back(json::object{
            {"id", b.id},
            {"state", std::string(bay::to_string(b.state))},
            {"safe_to_leave", bay::safe_to_leave(b.state)},
            {"recorder", recorder},
            {"officer", officer},
            {"docking_id", b.docking_id.empty() ? json::value(nullptr) : json::value(b.docking_id)},
            {"battery_percent", opt(b.battery_percent)},
            {"progress", {{"files_done", b.files_done}, {"files_total", b.files_total},
                          {"bytes_done", b.bytes_done}, {"bytes_total", b.bytes_total},
                          {"files_refused", b.files_refused}, {"files_failed", b.files_failed}}},
            {"clock_offset_ms", opt(b.clock_offset_ms)},
            {"error", b.error.empty() ? json::value(nullptr) : json::value(b.error)},
        });
    }
    return json_reply(200, out);
}

HttpReply Routes::ledger(const HttpRequest& req) {
    auto url = boost::urls::parse_origin_form(req.target);
    std::optional<std::string> from, to;
    for (const auto& p : url->params()) {
        if (p.key != "from" && p.key != "to") return error_reply(400, "bad_parameter", "unknown parameter " + p.key);
        auto t = parse_date(p.value);
        if (!t) t = parse_rfc3339(p.value);
        if (!t) return error_reply(400, "bad_date", p.key + " must be YYYY-MM-DD or RFC 3339");
        // Dates in the query are whole days: "to" includes the day it names.
        const bool whole_day = p.value.size() == 10;
        const auto when = (p.key == "to" && whole_day) ? *t + std::chrono::hours(24) : *t;
        (p.key == "from" ? from : to) = rfc3339(when);
    }
    const auto rows = station_.store().ledger(from, to);
    if (req.header("accept").find("text/csv") != std::string::npos)
        return {200, "text/csv; charset=utf-8", ledger_csv(rows), {}};
    json::array out;
    for (const auto& r : rows)
        out.push_back(json::object{{"docking_id", r.docking_id}, {"bay", r.bay}, {"serial", r.serial},
                                   {"vendor", r.vendor}, {"model", r.model}, {"officer_no", r.officer_no},
                                   {"officer_name", r.officer_name}, {"unit_name", r.unit_name},
                                   {"docked_at", r.docked_at}, {"undocked_at", opt(r.undocked_at)},
                                   {"files", r.files}, {"bytes", r.bytes}, {"refused", r.refused},
                                   {"battery_in", opt(r.battery_in)}, {"battery_out", opt(r.battery_out)},
                                   {"clock_offset_ms", opt(r.clock_offset_ms)}, {"close_reason", opt(r.close_reason)}});
    return json_reply(200, out);
}

HttpReply Routes::verify() {
    const auto v = station_.store().verify();
    return json_reply(v.ok ? 200 : 409, json::object{{"ok", v.ok},
                                                      {"length", v.length},
                                                      {"head", {{"seq", v.head.seq}, {"hash", v.head.hash}}},
                                                      {"first_bad_seq", opt(v.first_bad_seq)},
                                                      {"problem", v.problem}});
}

std::string ledger_csv(const std::vector<custody::LedgerRow>& rows) {
    std::ostringstream out;
    out << "\xEF\xBB\xBF"
        << "docking_id,bay,serial,vendor,model,officer_no,officer_name,unit_name,docked_at,undocked_at,files,bytes,"
           "refused,battery_in,battery_out,clock_offset_ms,close_reason\r\n";
    for (const auto& r : rows)
        out << csv_field(r.docking_id) << ',' << r.bay << ',' << csv_field(r.serial) << ',' << csv_field(r.vendor)
            << ',' << csv_field(r.model) << ',' << csv_field(r.officer_no) << ',' << csv_field(r.officer_name) << ','
            << csv_field(r.unit_name) << ',' << r.docked_at << ',' << csv_opt(r.undocked_at) << ',' << r.files << ','
            << r.bytes << ',' << r.refused << ',' << csv_opt(r.battery_in) << ',' << csv_opt(r.battery_out) << ','
            << csv_opt(r.clock_offset_ms) << ',' << csv_opt(r.close_reason) << "\r\n";
    return out.str();
}

Result<std::vector<std::string>> load_tokens(const std::string& path) {
    auto text = read_file(path);
    if (!text) return text.error();
    std::vector<std::string> tokens;
    std::istringstream in(*text);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream words(line);
        std::string token;
        if (words >> token && token[0] != '#') tokens.push_back(token);
    }
    if (tokens.empty()) return Error{path + ": no tokens"};
    return tokens;
}

}  // namespace dockd::api
