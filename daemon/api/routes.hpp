// The station's HTTP API (DESIGN §9): dispatch, roles and the access
// register here; the handlers live in routes_*.cpp by subject.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "daemon/api/auth.hpp"
#include "daemon/api/http_message.hpp"
#include "daemon/api/metrics.hpp"
#include "daemon/api/router.hpp"
#include "daemon/station/station.hpp"

namespace dockd::api {

// One request after routing: who asks, the path parameters and the query.
struct Call {
    const HttpRequest& req;
    Caller caller;
    std::map<std::string, std::string> params;  // {id} etc. from the path
    std::map<std::string, std::string> query;   // decoded; a key given twice is refused
};

class Routes {
public:
    // tokens: empty = loopback-only station (config enforces it).
    Routes(station::Station& station, std::vector<TokenEntry> tokens);
    HttpReply operator()(const HttpRequest& req);
    // A reload: api.tokens_file's entries from the next request on.
    // From the io thread, while API workers authenticate: swapped under a lock.
    void set_tokens(std::vector<TokenEntry> tokens) { router_.set_tokens(std::move(tokens)); }
    // Replies the server produced itself (limits), counted like the others.
    void count(int status) { metrics_.count_reply(status); }

private:
    HttpReply dispatch(const HttpRequest& req);
    HttpReply handle(Endpoint e, Call& c);
    // 403 approval_required, itself registered, when a footage route (seed
    // R6) lacks the approval reference the configuration requires.
    std::optional<HttpReply> refuse_unapproved(const Call& c);
    // Writes the access register (seed R6): who, when, what, approval reference.
    void register_access(const Call& c, const std::string& what);

    // routes_station.cpp
    HttpReply station_summary(Call& c);
    HttpReply bays(Call& c);
    HttpReply bay(Call& c);
    HttpReply power(Call& c);
    HttpReply events(Call& c);
    HttpReply metrics(Call& c);
    HttpReply page(Call& c);
    // routes_records.cpp
    HttpReply dockings(Call& c);
    HttpReply docking(Call& c);
    HttpReply files(Call& c);
    HttpReply file(Call& c);
    HttpReply retain_file(Call& c);
    HttpReply retain_docking(Call& c);
    HttpReply annotate_file(Call& c);
    HttpReply annotate_docking(Call& c);
    HttpReply assign(Call& c);
    HttpReply uploads(Call& c);
    // routes_reports.cpp
    HttpReply ledger(Call& c);
    HttpReply access_log(Call& c);
    HttpReply export_docking(Call& c);
    HttpReply verify(Call& c);
    // routes_rules.cpp (issue 14)
    HttpReply stats(Call& c);
    HttpReply undescribed(Call& c);
    // routes_keys.cpp
    HttpReply keys(Call& c);
    HttpReply rotate_key(Call& c);

    station::Station& station_;
    Router router_;
    MetricsState metrics_;
};

}  // namespace dockd::api
