// dockctl's one connection to the daemon's API.
#pragma once

#include <string>

#include "daemon/common/result.hpp"

namespace dockd::dockctl {

struct Reply {
    int status = 0;
    std::string content_type, body;
};

class Client {
public:
    Client(std::string base_url, std::string token, std::string approval_ref = {})
        : base_(std::move(base_url)), token_(std::move(token)), approval_ref_(std::move(approval_ref)) {}
    // An error only when no HTTP reply came back (daemon down, bad --url).
    Result<Reply> request(const std::string& method, const std::string& path, const std::string& body = {},
                          const std::string& accept = "application/json") const;
    Result<Reply> get(const std::string& path, const std::string& accept = "application/json") const {
        return request("GET", path, {}, accept);
    }

private:
    std::string base_, token_, approval_ref_;
};

}  // namespace dockd::dockctl
