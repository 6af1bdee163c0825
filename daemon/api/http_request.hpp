// Reading one HTTP request with Beast, as the server does it: its limits,
// its refusals and the HttpRequest the routes see. Included by server.cpp and
// the HTTP fuzz target only (a Beast translation unit takes ~12 s to build).
#pragma once

#include <boost/beast/http.hpp>
#include <cctype>
#include <cstdint>
#include <string>

#include "daemon/api/http_message.hpp"
#include "daemon/api/server.hpp"

namespace dockd::api {

using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

inline void apply_limits(RequestParser& parser, const ServerLimits& limits) {
    parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
    parser.body_limit(limits.max_body_bytes);
}

// A reply the server writes itself: fixed ASCII text, no JSON library needed.
inline HttpReply refusal(int status, const char* code, const char* message) {
    return {status,
            "application/json",
            std::string(R"({"error":")") + code + R"(","message":")" + message + "\"}\n",
            {},
            {}};
}

// The answer to a request that could not be read (ec set by the parser).
inline HttpReply read_refusal(const boost::system::error_code& ec) {
    namespace http = boost::beast::http;
    if (ec == http::error::body_limit)
        return refusal(413, "body_too_large", "request body is larger than the API accepts");
    if (ec == http::error::header_limit)
        return refusal(431, "headers_too_large", "request headers are larger than the API accepts");
    return refusal(400, "bad_request", "malformed HTTP request");
}

// The parsed request as the routes see it: header names in lower case.
inline HttpRequest to_request(const RequestParser& parser, const std::string& remote) {
    const auto& req = parser.get();
    HttpRequest r{std::string(req.method_string()), std::string(req.target()), req.body(), remote, {}};
    for (const auto& field : req) {
        std::string name(field.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        r.headers[name] = std::string(field.value());
    }
    return r;
}

}  // namespace dockd::api
