// The HTTP listener (Boost.Beast): bounded requests, per-connection timeouts,
// a request budget per client and caps on connections, one coroutine per
// connection on the station's io_context. Handlers (SQLite, statvfs, clocks)
// run on a pool of their own: a slow query never delays another connection,
// a bay, the watchdog or the event streams, which all live on the io thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "daemon/api/http_message.hpp"
#include "daemon/common/result.hpp"

namespace dockd::api {

using Handler = std::function<HttpReply(const HttpRequest&)>;

struct ServerLimits {
    std::size_t max_header_bytes = 8 * 1024;
    std::size_t max_body_bytes = 64 * 1024;
    // A request (headers and body) must arrive within this, however slowly it
    // trickles in: a slow-loris client holds only its own connection.
    std::chrono::milliseconds read_timeout{5000};
    std::chrono::milliseconds write_timeout{10000};
    double requests_per_second = 50, request_burst = 100;  // per client address
    std::size_t max_connections = 256, max_connections_per_client = 64, max_event_streams = 32;
};

class Server {
public:
    // handler and event-stream callbacks run on `work`, never on io.
    Server(boost::asio::io_context& io, boost::asio::thread_pool& work, Handler handler, ServerLimits limits = {});
    ~Server();
    Result<void> listen(const std::string& host, unsigned short port);
    void stop();
    unsigned short port() const;
    // Told the status of every reply the server makes itself (limits, bad requests).
    void on_refusal(std::function<void(int status)> observer);

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace dockd::api
