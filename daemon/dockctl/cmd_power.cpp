// dockctl power BAY on|off|cycle: hub port power (charging / recovery).
#include <boost/json.hpp>
#include <iostream>

#include "daemon/dockctl/commands.hpp"

namespace dockd::dockctl {

int cmd_power(const Client& c, const std::vector<std::string>& args, const Options& o) {
    if (args.size() != 2 || (args[1] != "on" && args[1] != "off" && args[1] != "cycle"))
        return usage_error("usage: dockctl power BAY on|off|cycle");
    if (args[0].empty() || args[0].find_first_not_of("0123456789") != std::string::npos)
        return usage_error("power: BAY must be a bay number, not '" + args[0] + "'");
    int code = exit_ok;
    auto r = call(c, "POST", "/api/v1/bays/" + args[0] + "/power",
                  boost::json::serialize(boost::json::object{{"action", args[1]}}), code);
    if (!r) return code;
    if (o.json)
        std::cout << boost::json::serialize(*r) << "\n";
    else
        std::cout << "bay " << args[0] << ": power " << args[1] << " done\n";
    return exit_ok;
}

}  // namespace dockd::dockctl
