#include "daemon/api/routes.hpp"

#include "daemon/api/reply.hpp"
#include "daemon/common/log.hpp"

namespace dockd::api {

Routes::Routes(station::Station& station, std::vector<TokenEntry> tokens)
    : station_(station), router_(std::move(tokens)) {}

HttpReply Routes::operator()(const HttpRequest& req) {
    HttpReply reply;
    try {
        reply = dispatch(req);
    } catch (const std::exception& e) {
        log::error(std::string("api: ") + req.method + " " + req.target + ": " + e.what());
        reply = error_reply(500, "internal", "the station could not answer; see its log");
    }
    metrics_.count_reply(reply.status);
    return reply;
}

HttpReply Routes::dispatch(const HttpRequest& req) {
    auto routed = router_.route(req);
    if (auto* refused = std::get_if<HttpReply>(&routed)) return std::move(*refused);
    auto& r = std::get<Routed>(routed);
    Call c{req, std::move(r.caller), std::move(r.params), std::move(r.query)};
    if (r.footage)
        if (auto refused = refuse_unapproved(c)) return *refused;
    return handle(r.endpoint, c);
}

// One case per endpoint: the compiler (-Wswitch) checks none is left out.
HttpReply Routes::handle(Endpoint e, Call& c) {
    switch (e) {
        case Endpoint::page:
            return page(c);
        case Endpoint::station:
            return station_summary(c);
        case Endpoint::bays:
            return bays(c);
        case Endpoint::bay:
            return bay(c);
        case Endpoint::power:
            return power(c);
        case Endpoint::events:
            return events(c);
        case Endpoint::metrics:
            return metrics(c);
        case Endpoint::dockings:
            return dockings(c);
        case Endpoint::docking:
            return docking(c);
        case Endpoint::retain_docking:
            return retain_docking(c);
        case Endpoint::annotate_docking:
            return annotate_docking(c);
        case Endpoint::files:
            return files(c);
        case Endpoint::file:
            return file(c);
        case Endpoint::retain_file:
            return retain_file(c);
        case Endpoint::annotate_file:
            return annotate_file(c);
        case Endpoint::assign:
            return assign(c);
        case Endpoint::uploads:
            return uploads(c);
        case Endpoint::ledger:
            return ledger(c);
        case Endpoint::access_log:
            return access_log(c);
        case Endpoint::export_docking:
            return export_docking(c);
        case Endpoint::verify:
            return verify(c);
        case Endpoint::keys:
            return keys(c);
        case Endpoint::rotate_key:
            return rotate_key(c);
        case Endpoint::stats:
            return stats(c);
        case Endpoint::undescribed:
            return undescribed(c);
    }
    return error_reply(404, "not_found", "no route");
}

std::optional<HttpReply> Routes::refuse_unapproved(const Call& c) {
    if (!station_.config().api.require_approval_ref) return std::nullopt;
    if (!c.req.header("x-approval-ref").empty()) return std::nullopt;
    // The attempt is a look-up too (seed R6: every look-up registered).
    register_access(c, "refused (approval_required): " + c.req.method + " " + c.req.target);
    return error_reply(403, "approval_required",
                       "this station requires an approval reference (X-Approval-Ref) for footage metadata and exports");
}

void Routes::register_access(const Call& c, const std::string& what) {
    custody::AccessEntry e;
    e.who = c.caller.name;
    e.role = to_string(c.caller.role);
    e.remote = c.req.remote;
    // Both come from the request (header bytes, percent-decoded ids) and go
    // into the audit chain and the access register's JSON: UTF-8 only.
    e.what = utf8_valid(what);
    if (auto ref = c.req.header("x-approval-ref"); !ref.empty()) e.approval_ref = utf8_prefix(utf8_valid(ref), 200);
    station_.store().register_access(e);
}

}  // namespace dockd::api
