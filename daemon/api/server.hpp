// The HTTP listener (Boost.Beast): bounded requests, per-connection timeouts,
// one coroutine per connection on the station's io_context.
#pragma once

#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <string>

#include "daemon/api/http_message.hpp"
#include "daemon/common/result.hpp"

namespace dockd::api {

using Handler = std::function<HttpReply(const HttpRequest&)>;

class Server {
public:
    Server(boost::asio::io_context& io, Handler handler);
    ~Server();
    Result<void> listen(const std::string& host, unsigned short port);
    void stop();
    unsigned short port() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace dockd::api
