// Routing a request without the station: the origin-form target and its
// query, the route table, the bearer token and the role. Routes runs the
// handler of the endpoint found; the HTTP fuzz target runs everything before.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

#include "daemon/api/auth.hpp"
#include "daemon/api/http_message.hpp"

namespace dockd::api {

enum class Endpoint {
    page,  // "/" and "/assets/...": no station data, no token
    station,
    bays,
    bay,
    power,
    events,
    metrics,
    dockings,
    docking,
    retain_docking,
    annotate_docking,
    files,
    file,
    retain_file,
    annotate_file,
    assign,
    uploads,
    ledger,
    access_log,
    export_docking,
    verify,
    keys,
    rotate_key,
    stats,
    undescribed,
};

struct Routed {
    Endpoint endpoint = Endpoint::page;
    bool footage = false;  // seed R6: see Router's table
    Caller caller;
    std::map<std::string, std::string> params;  // {id} etc. from the path; "path" for the page
    std::map<std::string, std::string> query;   // decoded; a key given twice is refused
};

class Router {
public:
    // tokens: empty = loopback-only station (config enforces it).
    explicit Router(std::vector<TokenEntry> tokens);
    // The endpoint and its caller, or the reply that refuses the request
    // (400 bad target or parameter, 401, 403, 404, 405).
    std::variant<Routed, HttpReply> route(const HttpRequest& req) const;
    // A reload (io thread) while API workers route: swapped under a lock.
    void set_tokens(std::vector<TokenEntry> tokens) {
        std::lock_guard lock(tokens_mutex_);
        tokens_ = std::move(tokens);
    }

private:
    struct Route {
        std::string method, pattern;
        Role role;
        Endpoint endpoint;
        // Reads footage metadata or exports it (seed R6): registered, and
        // refused without X-Approval-Ref when api.require_approval_ref is set.
        bool footage = false;
    };
    mutable std::mutex tokens_mutex_;
    std::vector<TokenEntry> tokens_;
    std::vector<Route> routes_;
};

}  // namespace dockd::api
