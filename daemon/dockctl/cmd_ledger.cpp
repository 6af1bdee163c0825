// dockctl ledger [--from D] [--to D] [--csv]   device-use ledger (台账, seed R1)
// dockctl access-log [--csv]                   who viewed/exported what (查阅登记簿, R6)
#include <boost/json.hpp>
#include <boost/url/url.hpp>
#include <iostream>

#include "daemon/dockctl/commands.hpp"

namespace dockd::dockctl {
namespace json = boost::json;

int cmd_ledger(const Client& c, const std::vector<std::string>& args, const Options& o) {
    if (!args.empty()) return usage_error("usage: dockctl ledger [--from D] [--to D] [--csv]");
    boost::urls::url target("/api/v1/ledger");
    if (o.from) target.params().append({"from", *o.from});
    if (o.to) target.params().append({"to", *o.to});
    int code = exit_ok;
    auto rows = report_rows(c, std::string(target.buffer()), o, code);
    if (!rows) return code;
    // One line per docking, and one per assignment ("assigned" in UNDOCKED,
    // "from -> to by who" in place of the files).
    std::vector<std::vector<std::string>> table{{"AT", "UNDOCKED", "BAY", "RECORDER", "OFFICER", "FILES", "SIZE",
                                                 "DURATION_S", "TRUNC", "BATTERY", "CLOCK_MS"}};
    for (const auto& r : rows->as_array()) {
        const std::string officer = str(r.at("officer_no")) + " " + str(r.at("officer_name"));
        if (str(r.at("kind")) == "assignment") {
            table.push_back({str(r.at("at")), "assigned", "", str(r.at("serial")), officer,
                             "from " + str(r.at("previous_officer_no")) + " by " + str(r.at("assigned_by")), "", "", "",
                             "", ""});
            continue;
        }
        table.push_back({str(r.at("docked_at")), str(r.at("undocked_at")), str(r.at("bay")), str(r.at("serial")),
                         officer, str(r.at("files")), mib(r.at("bytes")), str(r.at("recorded_duration_s")),
                         str(r.at("truncated_files")), str(r.at("battery_in")) + "->" + str(r.at("battery_out")),
                         str(r.at("clock_offset_ms"))});
    }
    print_table(table);
    return exit_ok;
}

std::optional<json::value> report_rows(const Client& c, const std::string& path, const Options& o, int& code) {
    code = exit_ok;
    if (o.csv) {
        if (auto text = call_text(c, path, "text/csv", code)) std::cout << *text;
        return std::nullopt;
    }
    auto rows = call(c, "GET", path, {}, code);
    if (rows && o.json) {
        std::cout << json::serialize(*rows) << "\n";
        return std::nullopt;
    }
    return rows;
}

int cmd_access_log(const Client& c, const std::vector<std::string>& args, const Options& o) {
    if (!args.empty()) return usage_error("usage: dockctl access-log [--csv]");
    int code = exit_ok;
    if (o.csv) {
        auto text = call_text(c, "/api/v1/access-log", "text/csv", code);
        if (!text) return code;
        std::cout << *text;
        return exit_ok;
    }
    auto rows = call(c, "GET", "/api/v1/access-log", {}, code);
    if (!rows) return code;
    if (o.json) {
        std::cout << json::serialize(*rows) << "\n";
        return exit_ok;
    }
    std::vector<std::vector<std::string>> table{{"AT", "WHO", "ROLE", "FROM", "WHAT", "APPROVAL"}};
    for (const auto& r : rows->as_array())
        table.push_back({str(r.at("at")), str(r.at("who")), str(r.at("role")), str(r.at("remote")), str(r.at("what")),
                         str(r.at("approval_ref"))});
    print_table(table);
    return exit_ok;
}

}  // namespace dockd::dockctl
