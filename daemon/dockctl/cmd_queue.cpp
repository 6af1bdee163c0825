// dockctl queue: upload queue: pending, failing and why, latest done.
#include <boost/json.hpp>
#include <iostream>

#include "daemon/dockctl/commands.hpp"

namespace dockd::dockctl {
namespace json = boost::json;

int cmd_queue(const Client& c, const std::vector<std::string>& args, const Options& o) {
    if (!args.empty()) return usage_error("queue takes no arguments");
    int code = exit_ok;
    auto st = call(c, "GET", "/api/v1/station", {}, code);
    auto rows = st ? call(c, "GET", "/api/v1/uploads?limit=200", {}, code) : std::nullopt;
    if (!rows) return code;
    if (o.json) {
        std::cout << json::serialize(json::object{{"queue", st->at("queue")}, {"uploads", *rows}}) << "\n";
        return exit_ok;
    }
    const auto& q = st->at("queue");
    std::cout << str(q.at("pending")) << " pending, " << str(q.at("failing")) << " failing, " << str(q.at("done"))
              << " done; oldest unarchived " << str(st->at("oldest_unarchived_age_s")) << " s\n";
    std::vector<std::vector<std::string>> table{
        {"FILE", "STATE", "TARGET", "SIZE", "ATTEMPTS", "REASON", "LAST ERROR"}};
    for (const auto& r : rows->as_array())
        table.push_back({str(r.at("file_id")), str(r.at("state")), str(r.at("target")), mib(r.at("size")),
                         str(r.at("attempts")), str(r.at("reason")), str(r.at("last_error"))});
    print_table(table);
    return exit_ok;
}

}  // namespace dockd::dockctl
