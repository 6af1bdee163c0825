// Requests and replies as the routes see them: Beast stays inside server.cpp.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>

namespace dockd::api {

struct HttpRequest {
    std::string method, target, body, remote;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string header(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

// A server-sent event stream (text/event-stream): the server calls `next`
// every `interval` on the station's thread and writes what it returns (an
// empty string writes nothing) until the client goes or the server stops.
struct EventStream {
    std::chrono::milliseconds interval{500};
    std::function<std::string()> next;
};

struct HttpReply {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::map<std::string, std::string> headers;
    EventStream stream;  // set (next != nullptr) for text/event-stream replies
};

}  // namespace dockd::api
