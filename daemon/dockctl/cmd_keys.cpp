// dockctl pubkey [--all] | rotate-key (DESIGN §11). An archive enrols key 1
// out of band from `pubkey`; later keys are announced in the audit chain.
#include <boost/json.hpp>
#include <iostream>

#include "daemon/dockctl/commands.hpp"

namespace dockd::dockctl {
namespace json = boost::json;

int cmd_pubkey(const Client& c, const std::vector<std::string>& args, const Options& o) {
    if (!args.empty()) return usage_error("usage: dockctl pubkey [--all]");
    int code = exit_ok;
    if (!o.all) {
        auto st = call(c, "GET", "/api/v1/station", {}, code);
        if (!st) return code;
        if (o.json)
            std::cout << json::serialize(json::object{{"public_key", st->at("public_key")}}) << "\n";
        else
            std::cout << str(st->at("public_key"));
        return exit_ok;
    }
    auto keys = call(c, "GET", "/api/v1/keys", {}, code);
    if (!keys) return code;
    if (o.json) {
        std::cout << json::serialize(*keys) << "\n";
        return exit_ok;
    }
    for (const auto& k : keys->at("keys").as_array())
        std::cout << "# key " << str(k.at("key_no")) << ", signs from audit seq " << str(k.at("first_seq"))
                  << (k.at("current").as_bool() ? " (current)" : "") << "\n"
                  << str(k.at("public_key"));
    return exit_ok;
}

int cmd_rotate_key(const Client& c, const std::vector<std::string>& args, const Options& o) {
    if (!args.empty()) return usage_error("rotate-key takes no arguments");
    int code = exit_ok;
    auto r = call(c, "POST", "/api/v1/keys/rotate", "{}", code);
    if (!r) return code;
    if (o.json)
        std::cout << json::serialize(*r) << "\n";
    else
        std::cout << "key " << str(r->at("key_no")) << " now signs from audit seq " << str(r->at("first_seq"))
                  << " (key_rotated at seq " << str(r->at("audit").at("seq")) << ")\n"
                  << str(r->at("public_key"));
    return exit_ok;
}

}  // namespace dockd::dockctl
