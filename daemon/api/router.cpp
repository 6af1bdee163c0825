#include "daemon/api/router.hpp"

#include <boost/url/parse.hpp>

#include "daemon/api/reply.hpp"

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

Router::Router(std::vector<TokenEntry> tokens) : tokens_(std::move(tokens)) {
    const Role V = Role::viewer, M = Role::manager;
    using E = Endpoint;
    routes_ = {
        {"GET", "/api/v1/station", V, E::station},
        {"GET", "/api/v1/bays", V, E::bays},
        {"GET", "/api/v1/bays/{id}", V, E::bay},
        {"POST", "/api/v1/bays/{id}/power", M, E::power},
        {"GET", "/api/v1/events", V, E::events},
        {"GET", "/metrics", V, E::metrics},
        {"GET", "/api/v1/dockings", V, E::dockings},
        {"GET", "/api/v1/dockings/{id}", V, E::docking, true},
        {"POST", "/api/v1/dockings/{id}/retain", M, E::retain_docking},
        {"POST", "/api/v1/dockings/{id}/annotations", M, E::annotate_docking},
        {"GET", "/api/v1/files", V, E::files, true},
        {"GET", "/api/v1/files/{id}", V, E::file, true},
        {"POST", "/api/v1/files/{id}/retain", M, E::retain_file},
        {"POST", "/api/v1/files/{id}/annotations", M, E::annotate_file},
        {"POST", "/api/v1/assignments", M, E::assign},
        {"GET", "/api/v1/uploads", V, E::uploads},
        {"GET", "/api/v1/ledger", M, E::ledger, true},
        {"GET", "/api/v1/access-log", M, E::access_log},
        {"GET", "/api/v1/export/dockings/{id}", M, E::export_docking, true},
        {"GET", "/api/v1/audit/verify", V, E::verify},
        {"GET", "/api/v1/keys", V, E::keys},
        {"GET", "/api/v1/stats", M, E::stats},
        {"GET", "/api/v1/undescribed", V, E::undescribed},
        {"POST", "/api/v1/keys/rotate", M, E::rotate_key},
    };
}

std::variant<Routed, HttpReply> Router::route(const HttpRequest& req) const {
    auto url = boost::urls::parse_origin_form(req.target);
    if (!url) return error_reply(400, "bad_target", "request target is not a valid origin-form URL");
    const std::string path = url->path();
    Routed out;
    std::string query_token;
    for (const auto& p : url->params()) {
        if (p.key == "access_token") {  // EventSource cannot send headers
            query_token = p.value;
            continue;
        }
        if (!out.query.emplace(p.key, p.value).second) return error_reply(400, "bad_parameter", p.key + " given twice");
    }

    // The page and its assets carry no station data: served without a token.
    if (req.method == "GET" && (path == "/" || path.starts_with("/assets/"))) {
        out.params = {{"path", path}};
        return out;
    }

    const Route* found = nullptr;
    std::string allowed;
    const auto parts = segments(path);
    for (const auto& r : routes_) {
        std::map<std::string, std::string> p;
        if (!match(r.pattern, parts, p)) continue;
        allowed += (allowed.empty() ? "" : ", ") + r.method;
        if (r.method == req.method) found = &r, out.params = std::move(p);
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
    auto caller = [&] {
        std::lock_guard lock(tokens_mutex_);
        return authenticate(tokens_, bearer);
    }();
    if (!caller) {
        auto reply = error_reply(401, "unauthorized", "a valid bearer token is required");
        reply.headers["WWW-Authenticate"] = "Bearer realm=\"dockd\"";
        return reply;
    }
    if (found->role == Role::manager && caller->role != Role::manager)
        return error_reply(403, "forbidden",
                           req.method + " " + path + " needs the manager role; " + caller->name + " is a viewer");
    out.endpoint = found->endpoint;
    out.footage = found->footage;
    out.caller = std::move(*caller);
    return out;
}

}  // namespace dockd::api
