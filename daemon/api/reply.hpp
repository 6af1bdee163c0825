// Building replies: JSON documents and JSON errors with stable `error` codes.
#pragma once

#include <boost/json.hpp>
#include <optional>

#include "daemon/api/http_message.hpp"
#include "daemon/common/utf8.hpp"

namespace dockd::api {

// JSON text that is valid UTF-8 whatever the strings held: serialize copies
// bytes >= 0x80 unchecked, and names from a recorder or a percent-decoded URL
// (GET /api/v1/dockings/%FF) can hold anything. Sources check their text too
// (configuration, recorder identities); this is the guarantee at the exit.
inline std::string json_text(const boost::json::value& v) {
    return utf8_valid(boost::json::serialize(v));
}

inline HttpReply json_reply(int status, const boost::json::value& v) {
    return {status, "application/json", json_text(v) + "\n", {}, {}};
}

// `code` is the stable machine-readable reason, `message` says it to a person.
inline HttpReply error_reply(int status, const std::string& code, const std::string& message) {
    return json_reply(status, boost::json::object{{"error", code}, {"message", message}});
}

template <class T>
boost::json::value opt(const std::optional<T>& v) {
    return v ? boost::json::value(*v) : boost::json::value(nullptr);
}

}  // namespace dockd::api
