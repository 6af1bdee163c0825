// dockctl retain FILE_ID|--docking ID [--reason TEXT]   long-term preservation (seed R8)
// dockctl annotate FILE_ID|--docking ID [--case NO] [--category C] [--note TEXT]   (seed R9)
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
    if (path.empty()) return usage_error("usage: dockctl retain FILE_ID|--docking ID [--reason TEXT]");
    int code = exit_ok;
    auto r = call(c, "POST", path + "/retain", json::serialize(json::object{{"reason", o.reason.value_or("")}}), code);
    if (!r) return code;
    if (o.json)
        std::cout << json::serialize(*r) << "\n";
    else
        std::cout << "long_term retention set; " << str(r->at("changed")) << " file(s) changed\n";
    return exit_ok;
}

int cmd_annotate(const Client& c, const std::vector<std::string>& args, const Options& o) {
    const auto path = subject(args, o);
    if (path.empty() || (!o.case_no && !o.category && !o.note))
        return usage_error("usage: dockctl annotate FILE_ID|--docking ID [--case NO] [--category C] [--note TEXT]");
    json::object body;
    if (o.case_no) body["case_no"] = *o.case_no;
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
