// Checking query parameters and JSON bodies once, with the error to send back.
#pragma once

#include <boost/json.hpp>
#include <charconv>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <variant>

#include "daemon/api/http_message.hpp"
#include "daemon/api/reply.hpp"
#include "daemon/common/time.hpp"

namespace dockd::api {

// Refuses parameters the route does not know (a typo must not widen a query).
inline std::optional<HttpReply> only_params(const std::map<std::string, std::string>& q,
                                            std::initializer_list<const char*> known) {
    for (const auto& [k, v] : q) {
        bool ok = false;
        for (const char* n : known) ok = ok || k == n;
        if (!ok) return error_reply(400, "bad_parameter", "unknown parameter " + k);
    }
    return std::nullopt;
}

inline std::optional<std::int64_t> to_int64(const std::string& s) {
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return v;
}

// ?limit=N, 1..10000, default 500.
inline std::variant<int, HttpReply> limit_param(const std::map<std::string, std::string>& q) {
    auto it = q.find("limit");
    if (it == q.end()) return 500;
    auto v = to_int64(it->second);
    if (!v || *v < 1 || *v > 10000) return error_reply(400, "bad_parameter", "limit must be 1..10000");
    return static_cast<int>(*v);
}

// A bound of a date filter as the store compares it (RFC 3339 text); `at`
// empty: no bound (the end of 9999-12-31 lies beyond what RFC 3339 writes).
struct DateBound {
    std::optional<std::string> at;
};

// A day (YYYY-MM-DD, whole day: "to" includes it) or an RFC 3339 time of years
// 0001..9999; nullopt when the text is neither (answered 400 bad_date).
inline std::optional<DateBound> date_param(const std::string& value, bool end_of_day) {
    auto t = parse_date_ms(value);
    const bool whole_day = t.has_value();
    if (!t) t = parse_rfc3339_ms(value);
    if (!t) return std::nullopt;
    std::int64_t ms = to_unix_ms(*t);
    if (end_of_day && whole_day) ms += 86'400'000;
    return DateBound{rfc3339(millis_time(ms))};
}

// ?from=&to= of the ledger and the statistics into RFC 3339 bounds, or the 400 to send.
inline std::optional<HttpReply> date_range(const std::map<std::string, std::string>& q,
                                           std::optional<std::string>& from, std::optional<std::string>& to) {
    for (const char* key : {"from", "to"}) {
        const auto it = q.find(key);
        if (it == q.end()) continue;
        const bool is_to = std::string(key) == "to";
        auto t = date_param(it->second, is_to);
        if (!t)
            return error_reply(400, "bad_date",
                               std::string(key) + " must be YYYY-MM-DD or RFC 3339 (years 0001..9999)");
        (is_to ? to : from) = t->at;
    }
    return std::nullopt;
}

// CSV by ?format=csv, else by Accept: text/csv.
inline bool wants_csv(const std::map<std::string, std::string>& q, const std::string& accept) {
    const auto it = q.find("format");
    return it != q.end() ? it->second == "csv" : accept.find("text/csv") != std::string::npos;
}

// The body as a JSON object, or the 400 to send.
inline std::variant<boost::json::object, HttpReply> json_body(const std::string& body) {
    boost::system::error_code ec;
    auto v = boost::json::parse(body.empty() ? std::string("{}") : body, ec);
    if (ec) return error_reply(400, "bad_json", "body is not JSON: " + ec.message());
    if (!v.is_object()) return error_reply(400, "bad_json", "body must be a JSON object");
    return std::move(v.as_object());
}

// An optional string member no longer than max_chars bytes; sets `error` when wrong.
inline std::string string_member(const boost::json::object& o, const char* key, std::size_t max_bytes,
                                 std::optional<HttpReply>& error) {
    const auto* v = o.if_contains(key);
    if (!v || v->is_null()) return {};
    if (!v->is_string()) {
        error = error_reply(400, "bad_field", std::string(key) + " must be a string");
        return {};
    }
    if (v->as_string().size() > max_bytes) {
        error =
            error_reply(400, "bad_field", std::string(key) + " is longer than " + std::to_string(max_bytes) + " bytes");
        return {};
    }
    return std::string(v->as_string());
}

}  // namespace dockd::api
