#include "daemon/api/server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <map>

#include "daemon/api/http_request.hpp"
#include "daemon/api/rate_limit.hpp"
#include "daemon/common/blocking.hpp"
#include "daemon/common/log.hpp"

namespace dockd::api {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// Shared with every connection coroutine: a frame destroyed with the
// io_context after the Server is gone still finds its counters alive.
struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
    Impl(asio::io_context& io, asio::thread_pool& work, Handler h, ServerLimits l)
        : io(io),
          work(work),
          acceptor(io),
          handler(std::move(h)),
          limits(l),
          budget(l.requests_per_second, l.request_burst) {}

    asio::awaitable<void> accept_loop(std::shared_ptr<Impl> self) {
        while (acceptor.is_open()) {
            boost::system::error_code ec;
            tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
            if (ec) {
                if (ec == asio::error::operation_aborted) co_return;
                continue;
            }
            asio::co_spawn(io, serve(self, beast::tcp_stream(std::move(socket))), asio::detached);
        }
    }

    // A connection for as long as it lives: counted, and evictable while it
    // waits for a request (idle keep-alive, or a request not yet complete).
    struct Conn {
        std::string client;
        beast::tcp_stream* stream = nullptr;
        std::uint64_t waiting_since = 0;  // order it began waiting for a request; 0 = busy
    };
    struct Slot {
        Impl& impl;
        std::uint64_t id;
        Slot(Impl& i, std::string client, beast::tcp_stream& stream) : impl(i), id(++i.next_id) {
            impl.conns.emplace(id, Conn{client, &stream, 0});
            ++impl.per_client[client];
        }
        ~Slot() { impl.release(id); }
        bool evicted() const { return !impl.conns.count(id); }
        void waiting(bool yes) {
            if (auto it = impl.conns.find(id); it != impl.conns.end())
                it->second.waiting_since = yes ? ++impl.order : 0;
        }
    };

    void release(std::uint64_t id) {
        auto it = conns.find(id);
        if (it == conns.end()) return;
        if (--per_client[it->second.client] == 0) per_client.erase(it->second.client);
        conns.erase(it);
    }

    // At the limits, the connection that has waited longest for a request
    // makes room (any client's for the overall cap, the same client's for the
    // per-client cap): idle sockets cannot lock out a new request, and without
    // a tokens file every local client shares 127.0.0.1. False: all are busy.
    bool make_room(const Slot& self, const std::string& client) {
        while (conns.size() > limits.max_connections || per_client[client] > limits.max_connections_per_client) {
            const bool same_client = per_client[client] > limits.max_connections_per_client;
            auto victim = conns.end();
            for (auto it = conns.begin(); it != conns.end(); ++it) {
                const Conn& c = it->second;
                if (it->first == self.id || c.waiting_since == 0 || (same_client && c.client != client)) continue;
                if (victim == conns.end() || c.waiting_since < victim->second.waiting_since) victim = it;
            }
            if (victim == conns.end()) return false;
            boost::system::error_code ec;
            victim->second.stream->socket().close(ec);  // its read ends with operation_aborted
            release(victim->first);
        }
        return true;
    }

    asio::awaitable<void> serve(std::shared_ptr<Impl> self, beast::tcp_stream stream) {
        beast::flat_buffer buffer;
        boost::system::error_code ec;
        std::string remote;
        if (auto ep = stream.socket().remote_endpoint(ec); !ec) remote = ep.address().to_string();
        Slot slot(*self, remote, stream);
        if (!make_room(slot, remote)) {
            co_await send(stream, refusal(503, "too_many_connections", "too many connections; try again later"), false);
            co_return;
        }
        for (;;) {
            RequestParser parser;
            apply_limits(parser, limits);
            stream.expires_after(limits.read_timeout);
            slot.waiting(true);
            co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
            slot.waiting(false);
            if (slot.evicted()) co_return;
            if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::eof ||
                ec == asio::error::connection_reset)
                break;
            HttpReply reply;
            bool keep_alive = false;
            if (ec) {
                reply = read_refusal(ec);
            } else if (!budget.allow(remote)) {
                reply = refusal(429, "rate_limited", "too many requests from this client; slow down");
                reply.headers["Retry-After"] = "1";
                keep_alive = parser.get().keep_alive();
            } else {
                const HttpRequest r = to_request(parser, remote);
                keep_alive = parser.get().keep_alive();
                try {
                    reply = co_await on_pool(work, [&] { return handler(r); });
                } catch (const std::exception& e) {
                    log::error(std::string("api: ") + r.method + " " + r.target + ": " + e.what());
                    reply = refusal(500, "internal", "the station could not answer; see its log");
                }
                if (reply.stream.next) {
                    co_await stream_events(stream, reply);
                    co_return;
                }
            }
            const bool refused_here = ec || reply.status == 429;
            if (refused_here && observer) observer(reply.status);
            const bool sent = co_await send(stream, std::move(reply), keep_alive);
            if (!sent || !keep_alive) break;
        }
        stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    }

    asio::awaitable<bool> send(beast::tcp_stream& stream, HttpReply reply, bool keep_alive) {
        http::response<http::string_body> res{static_cast<http::status>(reply.status), 11};
        res.set(http::field::server, "dockd/" DOCKD_VERSION);
        res.set(http::field::content_type, reply.content_type);
        res.set(http::field::cache_control, "no-store");
        for (const auto& [k, v] : reply.headers) res.set(k, v);
        res.keep_alive(keep_alive);
        res.body() = std::move(reply.body);
        res.prepare_payload();
        boost::system::error_code ec;
        stream.expires_after(limits.write_timeout);
        co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
        co_return !ec;
    }

    // text/event-stream until the client goes, a write stalls or the server stops.
    asio::awaitable<void> stream_events(beast::tcp_stream& stream, HttpReply& reply) {
        if (event_streams >= limits.max_event_streams) {
            co_await send(stream, refusal(503, "too_many_streams", "too many event streams open"), false);
            co_return;
        }
        ++event_streams;
        struct Release {
            std::size_t& n;
            ~Release() { --n; }
        } release{event_streams};
        std::string head = "HTTP/1.1 200 OK\r\nServer: dockd/" DOCKD_VERSION
                           "\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n"
                           "X-Accel-Buffering: no\r\nConnection: close\r\n\r\n";
        boost::system::error_code ec;
        asio::steady_timer timer(io);
        std::string chunk = std::move(head);
        while (!stopping) {
            try {
                chunk += co_await on_pool(work, reply.stream.next);
            } catch (const std::exception& e) {
                log::error(std::string("api: event stream: ") + e.what());
                break;
            }
            if (!chunk.empty()) {
                stream.expires_after(limits.write_timeout);
                co_await asio::async_write(stream, asio::buffer(chunk), asio::redirect_error(asio::use_awaitable, ec));
                if (ec) co_return;
                chunk.clear();
            }
            timer.expires_after(reply.stream.interval);
            co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
        stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    }

    asio::io_context& io;
    asio::thread_pool& work;
    tcp::acceptor acceptor;
    Handler handler;
    ServerLimits limits;
    RateLimiter budget;
    std::function<void(int)> observer;
    std::size_t event_streams = 0;
    std::uint64_t next_id = 0, order = 0;
    std::map<std::uint64_t, Conn> conns;
    std::map<std::string, std::size_t> per_client;
    bool stopping = false;
};

Server::Server(asio::io_context& io, asio::thread_pool& work, Handler handler, ServerLimits limits)
    : impl_(std::make_shared<Impl>(io, work, std::move(handler), limits)) {}
Server::~Server() = default;

void Server::on_refusal(std::function<void(int)> observer) {
    impl_->observer = std::move(observer);
}

Result<void> Server::listen(const std::string& host, unsigned short port) {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
    if (ec) return Error{"api.listen: " + host + ": " + ec.message()};
    const tcp::endpoint ep(address, port);
    auto& a = impl_->acceptor;
    a.open(ep.protocol(), ec);
    if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) a.bind(ep, ec);
    if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return Error{"api.listen " + host + ":" + std::to_string(port) + ": " + ec.message()};
    asio::co_spawn(impl_->io, impl_->accept_loop(impl_), asio::detached);
    return {};
}

void Server::stop() {
    impl_->stopping = true;
    boost::system::error_code ec;
    impl_->acceptor.close(ec);
}

unsigned short Server::port() const {
    boost::system::error_code ec;
    return impl_->acceptor.local_endpoint(ec).port();
}

}  // namespace dockd::api
