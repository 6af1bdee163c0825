// dockctl retain FILE_ID|--docking ID [--reason TEXT] [--class C]   long-term preservation (seed R8, R7)
// dockctl annotate FILE_ID|--docking ID [--case NO] [--category C] [--place P] [--note TEXT]   (seed R9)
#include <boost/json.hpp>
#include <iostream>

#include "daemon/dockctl/commands.hpp"

namespace dockd::dockctl {
namespace json = boost::json;

namespace {
// "/api/v1/files/ID" or "/api/v1/dockings/ID", or empty when the arguments do not say which.
std::string subject(const std::vector<std::string>& args, const Options& o) {
    if (o.docking && args.empty()) return "/api/v1/dockings/" + *o.docking;
    if (!o.docking && args.size() == 1 && !args[0].empty() &&
        args[0].find_first_not_of("0123456789") == std::string::npos)
        return "/api/v1/files/" + args[0];
    return {};
}
}  // namespace

int cmd_retain(const Client& c, const std::vector<std::string>& args, const Options& o) {
    const auto path = subject(args, o);
    if (path.empty()) return usage_error("usage: dockctl retain FILE_ID|--docking ID [--reason TEXT] [--class C]");
    json::object body{{"reason", o.reason.value_or("")}};
    if (o.retain_class) body["class"] = *o.retain_class;
    int code = exit_ok;
    auto r = call(c, "POST", path + "/retain", json::serialize(body), code);
    if (!r) return code;
    if (o.json)
        std::cout << json::serialize(*r) << "\n";
    else
        std::cout << "long_term retention set (class " << str(r->at("class")) << "); " << str(r->at("changed"))
                  << " file(s) changed\n";
    return exit_ok;
}

int cmd_annotate(const Client& c, const std::vector<std::string>& args, const Options& o) {
    const auto path = subject(args, o);
    if (path.empty() || (!o.case_no && !o.category && !o.note && !o.place))
        return usage_error(
            "usage: dockctl annotate FILE_ID|--docking ID [--case NO] [--category C] [--place P] [--note TEXT]");
    json::object body;
    if (o.case_no) body["case_no"] = *o.case_no;
    if (o.place) body["place"] = *o.place;
    if (o.category) body["category"] = *o.category;
    if (o.note) body["note"] = *o.note;
    int code = exit_ok;
    auto r = call(c, "POST", path + "/annotations", json::serialize(body), code);
    if (!r) return code;
    if (o.json)
        std::cout << json::serialize(*r) << "\n";
    else
        std::cout << "annotation " << str(r->at("id")) << " added\n";
    return exit_ok;
}

}  // namespace dockd::dockctl
