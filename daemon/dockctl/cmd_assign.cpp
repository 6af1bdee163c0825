// dockctl assign SERIAL --officer NO [--officer-name NAME]: bind a recorder to its custodian.
#include <boost/json.hpp>
#include <iostream>

#include "daemon/dockctl/commands.hpp"

namespace dockd::dockctl {
namespace json = boost::json;

int cmd_assign(const Client& c, const std::vector<std::string>& args, const Options& o) {
    if (args.size() != 1 || !o.officer)
        return usage_error("usage: dockctl assign SERIAL --officer NO [--officer-name NAME]");
    json::object body{{"serial", args[0]}};
    if (o.officer_name)
        body["officer"] = json::object{{"no", *o.officer}, {"name", *o.officer_name}};
    else
        body["officer_no"] = *o.officer;
    int code = exit_ok;
    auto r = call(c, "POST", "/api/v1/assignments", json::serialize(body), code);
    if (!r) return code;
    if (o.json)
        std::cout << json::serialize(*r) << "\n";
    else
        std::cout << "recorder " << args[0] << " assigned to officer " << str(r->at("officer").at("no")) << " "
                  << str(r->at("officer").at("name")) << "\n";
    return exit_ok;
}

}  // namespace dockd::dockctl
