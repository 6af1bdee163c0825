// Requests and replies as the routes see them: Beast stays inside server.cpp.
#pragma once

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

struct HttpReply {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::map<std::string, std::string> headers;
};

}  // namespace dockd::api
