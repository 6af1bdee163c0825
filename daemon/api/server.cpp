#include "daemon/api/server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "daemon/common/log.hpp"

namespace dockd::api {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {
constexpr std::size_t max_header_bytes = 8 * 1024;
constexpr std::size_t max_body_bytes = 64 * 1024;
constexpr auto request_timeout = std::chrono::seconds(10);
}  // namespace

struct Server::Impl {
    Impl(asio::io_context& io, Handler h) : io(io), acceptor(io), handler(std::move(h)) {}

    asio::awaitable<void> accept_loop() {
        while (acceptor.is_open()) {
            boost::system::error_code ec;
            tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
            if (ec) {
                if (ec == asio::error::operation_aborted) co_return;
                continue;
            }
            asio::co_spawn(io, serve(beast::tcp_stream(std::move(socket))), asio::detached);
        }
    }

    asio::awaitable<void> serve(beast::tcp_stream stream) {
        beast::flat_buffer buffer;
        boost::system::error_code ec;
        std::string remote;
        if (auto ep = stream.socket().remote_endpoint(ec); !ec) remote = ep.address().to_string();
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.header_limit(max_header_bytes);
            parser.body_limit(max_body_bytes);
            // A slow or silent client holds only its own connection, never the station.
            stream.expires_after(request_timeout);
            co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
            if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::eof) break;
            HttpReply reply;
            bool keep_alive = false;
            if (ec == http::error::body_limit) {
                reply = {413, "application/json", R"({"error":"body_too_large"})" "\n", {}};
            } else if (ec == http::error::header_limit) {
                reply = {431, "application/json", R"({"error":"headers_too_large"})" "\n", {}};
            } else if (ec) {
                reply = {400, "application/json", R"({"error":"bad_request"})" "\n", {}};
            } else {
                auto& req = parser.get();
                HttpRequest r{std::string(req.method_string()), std::string(req.target()), req.body(), remote, {}};
                for (const auto& field : req) {
                    std::string name(field.name_string());
                    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                    r.headers[name] = std::string(field.value());
                }
                keep_alive = req.keep_alive();
                try {
                    reply = handler(r);
                } catch (const std::exception& e) {
                    log::error(std::string("api: ") + r.method + " " + r.target + ": " + e.what());
                    reply = {500, "application/json", R"({"error":"internal"})" "\n", {}};
                }
            }
            http::response<http::string_body> res{static_cast<http::status>(reply.status), 11};
            res.set(http::field::server, "dockd/" DOCKD_VERSION);
            res.set(http::field::content_type, reply.content_type);
            res.set(http::field::cache_control, "no-store");
            for (const auto& [k, v] : reply.headers) res.set(k, v);
            res.keep_alive(keep_alive);
            res.body() = std::move(reply.body);
            res.prepare_payload();
            stream.expires_after(request_timeout);
            co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
            if (ec || !keep_alive) break;
        }
        stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    }

    asio::io_context& io;
    tcp::acceptor acceptor;
    Handler handler;
};

Server::Server(asio::io_context& io, Handler handler) : impl_(std::make_unique<Impl>(io, std::move(handler))) {}
Server::~Server() = default;

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
    asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
    return {};
}

void Server::stop() {
    boost::system::error_code ec;
    impl_->acceptor.close(ec);
}

unsigned short Server::port() const {
    boost::system::error_code ec;
    return impl_->acceptor.local_endpoint(ec).port();
}

}  // namespace dockd::api
