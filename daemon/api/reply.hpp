// Building replies: JSON documents and JSON errors with stable `error` codes.
#pragma once

#include <boost/json.hpp>
#include <optional>

#include "daemon/api/http_message.hpp"

namespace dockd::api {

inline HttpReply json_reply(int status, const boost::json::value& v) {
    return {status, "application/json", boost::json::serialize(v) + "\n", {}, {}};
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
