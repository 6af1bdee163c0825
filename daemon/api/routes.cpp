#include "daemon/api/routes.hpp"

#include <boost/url/parse.hpp>

#include "daemon/api/reply.hpp"
#include "daemon/common/log.hpp"

namespace dockd::api {

namespace {

std::vector<std::string> segments(const std::string& path) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < path.size()) {
        const auto j = path.find('/', i + 1);
        out.push_back(path.substr(i + 1, (j == std::string::npos ? path.size() : j) - i - 1));
        i = j == std::string::npos ? path.size() : j;
    }
    return out;
}

// "/api/v1/files/{id}/retain" against a path; fills {name} parameters.
bool match(const std::string& pattern, const std::vector<std::string>& path,
           std::map<std::string, std::string>& params) {
    const auto pat = segments(pattern);
    if (pat.size() != path.size()) return false;
    std::map<std::string, std::string> found;
    for (std::size_t i = 0; i < pat.size(); ++i) {
        if (pat[i].size() > 2 && pat[i].front() == '{')
            found[pat[i].substr(1, pat[i].size() - 2)] = path[i];
        else if (pat[i] != path[i])
            return false;
    }
    params = std::move(found);
    return true;
}

}  // namespace

Routes::Routes(station::Station& station, std::vector<TokenEntry> tokens)
    : station_(station), tokens_(std::move(tokens)) {
    const Role V = Role::viewer, M = Role::manager;
    routes_ = {
        {"GET", "/api/v1/station", V, &Routes::station_summary},
        {"GET", "/api/v1/bays", V, &Routes::bays},
        {"GET", "/api/v1/bays/{id}", V, &Routes::bay},
        {"POST", "/api/v1/bays/{id}/power", M, &Routes::power},
        {"GET", "/api/v1/events", V, &Routes::events},
        {"GET", "/metrics", V, &Routes::metrics},
        {"GET", "/api/v1/dockings", V, &Routes::dockings},
        {"GET", "/api/v1/dockings/{id}", V, &Routes::docking, true},
        {"POST", "/api/v1/dockings/{id}/retain", M, &Routes::retain_docking},
        {"POST", "/api/v1/dockings/{id}/annotations", M, &Routes::annotate_docking},
        {"GET", "/api/v1/files", V, &Routes::files, true},
        {"GET", "/api/v1/files/{id}", V, &Routes::file, true},
        {"POST", "/api/v1/files/{id}/retain", M, &Routes::retain_file},
        {"POST", "/api/v1/files/{id}/annotations", M, &Routes::annotate_file},
        {"POST", "/api/v1/assignments", M, &Routes::assign},
        {"GET", "/api/v1/uploads", V, &Routes::uploads},
        {"GET", "/api/v1/ledger", M, &Routes::ledger, true},
        {"GET", "/api/v1/access-log", M, &Routes::access_log},
        {"GET", "/api/v1/export/dockings/{id}", M, &Routes::export_docking, true},
        {"GET", "/api/v1/audit/verify", V, &Routes::verify},
        {"GET", "/api/v1/keys", V, &Routes::keys},
        {"GET", "/api/v1/stats", M, &Routes::stats},
        {"GET", "/api/v1/undescribed", V, &Routes::undescribed},
        {"POST", "/api/v1/keys/rotate", M, &Routes::rotate_key},
    };
}

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
    auto url = boost::urls::parse_origin_form(req.target);
    if (!url) return error_reply(400, "bad_target", "request target is not a valid origin-form URL");
    const std::string path = url->path();
    std::map<std::string, std::string> query;
    std::string query_token;
    for (const auto& p : url->params()) {
        if (p.key == "access_token") {  // EventSource cannot send headers
            query_token = p.value;
            continue;
        }
        if (!query.emplace(p.key, p.value).second) return error_reply(400, "bad_parameter", p.key + " given twice");
    }

    // The page and its assets carry no station data: served without a token.
    if (req.method == "GET" && (path == "/" || path.starts_with("/assets/"))) {
        Call c{req, {}, {{"path", path}}, std::move(query)};
        return page(c);
    }

    const Route* found = nullptr;
    std::map<std::string, std::string> params;
    std::string allowed;
    const auto parts = segments(path);
    for (const auto& r : routes_) {
        std::map<std::string, std::string> p;
        if (!match(r.pattern, parts, p)) continue;
        allowed += (allowed.empty() ? "" : ", ") + r.method;
        if (r.method == req.method) found = &r, params = std::move(p);
    }
    if (allowed.empty()) return error_reply(404, "not_found", "no route " + path);
    if (!found) {
        auto reply = error_reply(405, "method_not_allowed", req.method + " " + path + "; allowed: " + allowed);
        reply.headers["Allow"] = allowed;
        return reply;
    }

    std::string bearer;
    const std::string auth = req.header("authorization");
    if (auth.rfind("Bearer ", 0) == 0)
        bearer = auth.substr(7);
    else if (path == "/api/v1/events")
        bearer = query_token;
    auto caller = authenticate(tokens_, bearer);
    if (!caller) {
        auto reply = error_reply(401, "unauthorized", "a valid bearer token is required");
        reply.headers["WWW-Authenticate"] = "Bearer realm=\"dockd\"";
        return reply;
    }
    if (found->role == Role::manager && caller->role != Role::manager)
        return error_reply(403, "forbidden",
                           req.method + " " + path + " needs the manager role; " + caller->name + " is a viewer");
    Call c{req, *caller, std::move(params), std::move(query)};
    if (auto refused = refuse_unapproved(*found, c)) return *refused;
    return (this->*(found->handler))(c);
}

std::optional<HttpReply> Routes::refuse_unapproved(const Route& r, const Call& c) {
    if (!r.footage || !station_.config().api.require_approval_ref) return std::nullopt;
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
    e.what = what;
    if (auto ref = c.req.header("x-approval-ref"); !ref.empty()) e.approval_ref = ref.substr(0, 200);
    station_.store().register_access(e);
}

}  // namespace dockd::api
