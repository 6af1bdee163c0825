// dockctl verify | export DOCKING_ID
#include <boost/json.hpp>
#include <iostream>

#include "daemon/dockctl/commands.hpp"

namespace dockd::dockctl {
namespace json = boost::json;

int cmd_verify(const Client& c, const std::vector<std::string>& args, const Options& o) {
    if (!args.empty()) return usage_error("verify takes no arguments");
    auto r = c.get("/api/v1/audit/verify");
    if (!r) {
        std::cerr << "dockctl: " << r.error().message << "\n";
        return exit_failure;
    }
    // 409 carries the verdict of a broken chain: still a JSON answer to show.
    if (r->status != 200 && r->status != 409) return explain("verify", *r);
    const auto v = json::parse(r->body);
    const bool ok = v.at("ok").as_bool();
    if (o.json)
        std::cout << json::serialize(v) << "\n";
    else if (ok)
        std::cout << "audit chain ok: " << str(v.at("length")) << " events, head " << str(v.at("head").at("seq")) << " "
                  << str(v.at("head").at("hash")) << "\n";
    else
        std::cout << "audit chain BROKEN at seq " << str(v.at("first_bad_seq")) << ": " << str(v.at("problem")) << "\n";
    return ok ? exit_ok : exit_failure;
}

// The docking's signed custody record as the archive receives it (manager; registered).
int cmd_export(const Client& c, const std::vector<std::string>& args, const Options& o) {
    if (args.size() != 1) return usage_error("usage: dockctl export DOCKING_ID [--approval-ref REF]");
    int code = exit_ok;
    auto r = call(c, "GET", "/api/v1/export/dockings/" + args[0], {}, code);
    if (!r) return code;
    if (o.json)
        std::cout << json::serialize(*r) << "\n";
    else
        std::cout << str(r->at("manifest_text"));
    return exit_ok;
}

}  // namespace dockd::dockctl
