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
    Client(std::string base_url, std::string token) : base_(std::move(base_url)), token_(std::move(token)) {}
    Result<Reply> get(const std::string& path, const std::string& accept = "application/json") const;

private:
    std::string base_, token_;
};

}  // namespace dockd::dockctl
