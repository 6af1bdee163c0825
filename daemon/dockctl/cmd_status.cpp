// dockctl status | ports: the station and its bays.
#include <boost/json.hpp>
#include <iostream>

#include "daemon/dockctl/commands.hpp"

namespace dockd::dockctl {
namespace json = boost::json;

namespace {
std::string progress(const json::value& p) {
    return str(p.at("files_done")) + "/" + str(p.at("files_total")) + " files " + mib(p.at("bytes_done")) + " / " +
           mib(p.at("bytes_total"));
}
}  // namespace

int cmd_status(const Client& c, const std::vector<std::string>& args, const Options& o) {
    if (!args.empty()) return usage_error("status takes no arguments");
    int code = exit_ok;
    auto st = call(c, "GET", "/api/v1/station", {}, code);
    auto bays = st ? call(c, "GET", "/api/v1/bays", {}, code) : std::nullopt;
    if (!st || !bays) return code;
    if (o.json) {
        std::cout << json::serialize(json::object{{"station", *st}, {"bays", *bays}}) << "\n";
        return exit_ok;
    }
    const auto& s = st->as_object();
    const auto& q = s.at("queue").as_object();
    std::cout << "station " << str(s.at("id")) << " (dockd " << str(s.at("version")) << "), up "
              << str(s.at("uptime_s")) << " s; staging free " << mib(s.at("disk").at("staging_free_bytes"))
              << "; network " << str(s.at("network").at("state")) << "\n"
              << "queue: " << str(q.at("files_unarchived")) << " files unarchived, " << str(q.at("pending"))
              << " pending, " << str(q.at("failing")) << " failing; oldest unarchived "
              << str(s.at("oldest_unarchived_age_s")) << " s\n";
    for (const auto& a : s.at("alerts").as_array()) std::cout << "ALERT " << str(a) << "\n";
    std::vector<std::vector<std::string>> rows{{"BAY", "STATE", "RECORDER", "OFFICER", "SAFE TO LEAVE"}};
    for (const auto& b : bays->as_array()) {
        const auto& bo = b.as_object();
        rows.push_back({str(bo.at("id")), str(bo.at("state")),
                        bo.at("recorder").is_null() ? "-" : str(bo.at("recorder").at("serial")),
                        bo.at("officer").is_null() ? "-" : str(bo.at("officer").at("no")),
                        bo.at("safe_to_leave").as_bool() ? "yes" : "no"});
    }
    print_table(rows);
    return exit_ok;
}

int cmd_ports(const Client& c, const std::vector<std::string>& args, const Options& o) {
    if (!args.empty()) return usage_error("ports takes no arguments");
    int code = exit_ok;
    auto bays = call(c, "GET", "/api/v1/bays", {}, code);
    if (!bays) return code;
    if (o.json) {
        std::cout << json::serialize(*bays) << "\n";
        return exit_ok;
    }
    std::vector<std::vector<std::string>> rows{
        {"BAY", "STATE", "RECORDER", "OFFICER", "BATTERY", "PROGRESS", "CLOCK_MS", "ERROR"}};
    for (const auto& b : bays->as_array()) {
        const auto& bo = b.as_object();
        const std::string officer =
            bo.at("officer").is_null() ? "-" : str(bo.at("officer").at("no")) + " " + str(bo.at("officer").at("name"));
        rows.push_back({str(bo.at("id")), str(bo.at("state")),
                        bo.at("recorder").is_null() ? "-" : str(bo.at("recorder").at("serial")), officer,
                        bo.at("battery_percent").is_null() ? "-" : str(bo.at("battery_percent")) + "%",
                        progress(bo.at("progress")), str(bo.at("clock_offset_ms")), str(bo.at("error"))});
    }
    print_table(rows);
    return exit_ok;
}

}  // namespace dockd::dockctl
