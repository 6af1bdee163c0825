#include "daemon/archive/s3/http_client.hpp"

#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>

namespace dockd::archive::s3 {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

namespace {
constexpr std::size_t chunk_bytes = 64 * 1024;  // one socket write, one throttle charge
constexpr std::uint64_t max_reply_bytes = 4 << 20;
}  // namespace

struct HttpClient::Impl {
    Endpoint ep;
    std::shared_ptr<Throttle> throttle;
    std::chrono::seconds timeout;
    asio::io_context ioc;
    asio::ssl::context ssl{asio::ssl::context::tls_client};
    std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
    std::unique_ptr<beast::tcp_stream> plain;
    beast::flat_buffer buffer;
    std::vector<char> chunk = std::vector<char>(chunk_bytes);
    std::string ssl_setup_error;
    std::uint64_t delivered = 0;      // body bytes handed to a sink in this send
    std::optional<Error> sink_error;  // why a sink stopped the read

    Impl(Endpoint e, std::shared_ptr<Throttle> t, std::chrono::seconds s)
        : ep(std::move(e)), throttle(std::move(t)), timeout(s) {
        error_code ec;
        ssl.set_options(asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                        asio::ssl::context::no_tlsv1_1);
        if (ep.ca_file.empty())
            ssl.set_default_verify_paths(ec);
        else
            ssl.load_verify_file(ep.ca_file.string(), ec);
        if (ec)
            ssl_setup_error =
                "CA " + (ep.ca_file.empty() ? std::string("system store") : ep.ca_file.string()) + ": " + ec.message();
        ssl.set_verify_mode(asio::ssl::verify_peer);
    }

    bool connected() const { return tls || plain; }
    void drop() {
        tls.reset();
        plain.reset();
        buffer.clear();
    }
    beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }

    asio::awaitable<error_code> connect() {
        error_code ec;
        asio::ip::tcp::resolver resolver(ioc);
        auto results = co_await resolver.async_resolve(ep.host, ep.port, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return ec;
        if (ep.tls) {
            tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ioc, ssl);
            // SNI, then the name the certificate must carry (RFC 6125 via Asio).
            if (!SSL_set_tlsext_host_name(tls->native_handle(), ep.host.c_str()))
                co_return error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category());
            tls->set_verify_callback(asio::ssl::host_name_verification(ep.host));
        } else {
            plain = std::make_unique<beast::tcp_stream>(ioc);
        }
        lowest().expires_after(timeout);
        co_await lowest().async_connect(results, asio::redirect_error(asio::use_awaitable, ec));
        if (ec || !tls) co_return ec;
        lowest().expires_after(timeout);
        co_await tls->async_handshake(asio::ssl::stream_base::client, asio::redirect_error(asio::use_awaitable, ec));
        co_return ec;
    }

    template <class Stream>
    asio::awaitable<error_code> write_body(Stream& s, const HttpRequest& r, const std::atomic<bool>& cancelled) {
        error_code ec;
        const std::uint64_t total = r.body_fd >= 0 ? r.body_length : r.body.size();
        for (std::uint64_t done = 0; done < total;) {
            if (cancelled.load()) co_return asio::error::operation_aborted;
            const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), total - done));
            const char* data = r.body.data() + done;
            std::size_t len = n;
            if (r.body_fd >= 0) {
                const ssize_t got = ::pread(r.body_fd, chunk.data(), n, static_cast<off_t>(r.body_offset + done));
                if (got <= 0) co_return error_code(got < 0 ? errno : EIO, boost::system::generic_category());
                data = chunk.data();
                len = static_cast<std::size_t>(got);
            }
            if (throttle) {
                if (auto wait = throttle->reserve(len); wait.count() > 0) {
                    asio::steady_timer t(ioc, wait);
                    co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
                }
            }
            lowest().expires_after(timeout);
            co_await asio::async_write(s, asio::buffer(data, len), asio::redirect_error(asio::use_awaitable, ec));
            if (ec) co_return ec;
            done += len;
        }
        co_return ec;
    }

    template <class Stream>
    asio::awaitable<error_code> exchange(Stream& s, const HttpRequest& r, HttpResponse& out,
                                         const std::atomic<bool>& cancelled, const BodySink* sink) {
        error_code ec;
        http::request<http::empty_body> req{http::string_to_verb(r.method), r.target, 11};
        for (const auto& [k, v] : r.headers) req.set(k, v);
        req.keep_alive(true);
        const std::uint64_t length = r.body_fd >= 0 ? r.body_length : r.body.size();
        if (r.method == "PUT" || r.method == "POST") req.content_length(length);
        http::request_serializer<http::empty_body> sr{req};
        lowest().expires_after(timeout);
        co_await http::async_write_header(s, sr, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return ec;
        ec = co_await write_body(s, r, cancelled);  // not inside an if: GCC 12 coroutine bug
        if (ec) co_return ec;

        http::response_parser<http::buffer_body> parser;
        parser.body_limit(boost::none);  // bounded below: streamed, or small error bodies only
        if (r.method == "HEAD") parser.skip(true);
        lowest().expires_after(timeout);
        co_await http::async_read_header(s, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return ec;
        auto& res = parser.get();
        out.status = static_cast<int>(res.result_int());
        for (const auto& f : res) {
            std::string name(f.name_string());
            for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            out.headers[name] = std::string(f.value());
        }
        ec = co_await read_body(s, parser, out, cancelled, sink && out.status / 100 == 2 ? sink : nullptr);
        if (ec) co_return ec;
        // Some servers (Swift's eventlet) frame a HEAD reply as chunked and send the
        // terminating chunk anyway; those bytes would poison the next reply.
        const bool head_with_body = r.method == "HEAD" && res.chunked();
        if (!res.keep_alive() || head_with_body) drop();
        co_return ec;
    }

    // The body through the fixed chunk buffer: to the sink, or kept when small.
    template <class Stream>
    asio::awaitable<error_code> read_body(Stream& s, http::response_parser<http::buffer_body>& parser,
                                          HttpResponse& out, const std::atomic<bool>& cancelled, const BodySink* sink) {
        error_code ec;
        while (!parser.is_done()) {
            parser.get().body().data = chunk.data();
            parser.get().body().size = chunk.size();
            lowest().expires_after(timeout);
            co_await http::async_read_some(s, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
            if (ec == http::error::need_buffer) ec = {};
            if (ec) co_return ec;
            if (cancelled.load()) co_return asio::error::operation_aborted;
            const std::size_t n = chunk.size() - parser.get().body().size;
            if (n == 0) continue;
            if (!sink) {
                if (out.body.size() + n > max_reply_bytes) co_return http::error::body_limit;
                out.body.append(chunk.data(), n);
                continue;
            }
            delivered += n;
            if (auto r = (*sink)(std::string_view(chunk.data(), n)); !r) {
                sink_error = r.error();
                co_return asio::error::operation_aborted;
            }
        }
        co_return ec;
    }

    asio::awaitable<error_code> run(const HttpRequest& r, HttpResponse& out, const std::atomic<bool>& cancelled,
                                    const BodySink* sink) {
        if (!connected()) {
            const error_code ec = co_await connect();  // not inside an if: GCC 12 coroutine bug
            if (ec) co_return ec;
        }
        if (tls) co_return co_await exchange(*tls, r, out, cancelled, sink);
        co_return co_await exchange(*plain, r, out, cancelled, sink);
    }
};

HttpClient::HttpClient(Endpoint endpoint, std::shared_ptr<Throttle> throttle, std::chrono::seconds stall_timeout)
    : impl_(std::make_unique<Impl>(std::move(endpoint), std::move(throttle), stall_timeout)) {}

HttpClient::~HttpClient() = default;

Result<HttpResponse> HttpClient::send(const HttpRequest& request, const std::atomic<bool>& cancelled,
                                      const BodySink* sink) {
    auto& im = *impl_;
    if (!im.ssl_setup_error.empty() && im.ep.tls) return Error{im.ssl_setup_error};
    // A kept-alive connection the server has meanwhile closed fails on first
    // use: one more try on a fresh connection (S3 requests here are idempotent).
    for (int attempt = 0;; ++attempt) {
        const bool reused = im.connected();
        HttpResponse out;
        error_code ec;
        im.ioc.restart();
        im.delivered = 0;
        im.sink_error.reset();
        asio::co_spawn(im.ioc, im.run(request, out, cancelled, sink), [&](std::exception_ptr e, error_code result) {
            ec = e ? error_code(asio::error::fault) : result;
        });
        im.ioc.run();
        if (!ec) return out;
        im.drop();
        if (im.sink_error) return *im.sink_error;
        // A sink that already has part of the body cannot take it again from the start.
        if (reused && attempt == 0 && request.idempotent && im.delivered == 0 && ec != asio::error::operation_aborted)
            continue;
        const std::string where = im.ep.host + ":" + im.ep.port;
        if (ec == beast::error::timeout)
            return Error{where + ": no progress for " + std::to_string(im.timeout.count()) + " s"};
        if (ec == asio::error::operation_aborted && cancelled.load()) return Error{"cancelled"};
        return Error{where + ": " + ec.message()};
    }
}

}  // namespace dockd::archive::s3
