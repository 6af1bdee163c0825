// libFuzzer target: raw bytes from a TCP client into the API's request path:
// Beast's parser with the server's limits (pipelined requests as a keep-alive
// connection sends them), then the router (target, query, route, token,
// role) and the parameter checks the handlers run before touching the
// station. Every reply produced on the way must be JSON in valid UTF-8.
#include <boost/asio/buffer.hpp>
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <variant>

#include "daemon/api/http_request.hpp"
#include "daemon/api/query.hpp"
#include "daemon/api/router.hpp"
#include "daemon/common/utf8.hpp"

namespace api = dockd::api;

namespace {

void check_reply(const api::HttpReply& r) {
    if (dockd::utf8_invalid_at(r.body) != std::string::npos) std::abort();
    boost::system::error_code ec;
    const auto v = boost::json::parse(r.body, ec);
    if (ec || !v.is_object() || !v.as_object().contains("error")) std::abort();
}

// What the handlers check of the query and body before any store work.
void check_parameters(const api::Routed& routed, const api::HttpRequest& req) {
    if (auto bad = api::only_params(routed.query, {"from", "to", "since", "limit", "format", "state", "docking"}))
        check_reply(*bad);
    auto limit = api::limit_param(routed.query);
    if (auto* r = std::get_if<api::HttpReply>(&limit)) check_reply(*r);
    for (const char* key : {"from", "to", "since"}) {
        auto it = routed.query.find(key);
        if (it == routed.query.end()) continue;
        const auto bound = api::date_param(it->second, std::string(key) == "to");
        if (bound && bound->at && !dockd::parse_rfc3339_ms(*bound->at)) std::abort();  // must read back
    }
    auto body = api::json_body(req.body);
    if (auto* r = std::get_if<api::HttpReply>(&body)) return check_reply(*r);
    std::optional<api::HttpReply> error;
    for (const char* key : {"reason", "note", "serial", "officer_no", "action"})
        (void)api::string_member(std::get<boost::json::object>(body), key, 64, error);
    if (error) check_reply(*error);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const api::Router open_router({});
    static const api::Router token_router({{"viewer-token-0123456789abcdef", "wall", api::Role::viewer},
                                           {"manager-token-0123456789abcdef", "alice", api::Role::manager}});
    const api::ServerLimits limits;
    std::size_t used = 0;
    for (int n = 0; n < 8 && used < size; ++n) {  // up to 8 pipelined requests
        api::RequestParser parser;
        api::apply_limits(parser, limits);
        boost::system::error_code ec;
        while (!parser.is_done()) {
            if (used == size) {  // the client has sent everything and closed
                parser.put_eof(ec);
                break;
            }
            const std::size_t n = parser.put(boost::asio::buffer(data + used, size - used), ec);
            used += n;
            if (ec == boost::beast::http::error::need_more || (!ec && n == 0)) {
                ec = {};
                if (n == 0) used = size;  // what is left is not enough: nothing more arrives
            }
            if (ec) break;
        }
        if (ec || !parser.is_done()) {
            if (ec) check_reply(api::read_refusal(ec));
            return 0;
        }
        const auto req = api::to_request(parser, "127.0.0.1");
        for (const auto* router : {&open_router, &token_router}) {
            auto routed = router->route(req);
            if (auto* refused = std::get_if<api::HttpReply>(&routed))
                check_reply(*refused);
            else
                check_parameters(std::get<api::Routed>(routed), req);
        }
        if (!parser.keep_alive()) break;
    }
    return 0;
}
