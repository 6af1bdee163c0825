#include "daemon/dockctl/client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

namespace dockd::dockctl {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

Result<Reply> Client::request(const std::string& method, const std::string& path, const std::string& body,
                              const std::string& accept) const {
    auto url = boost::urls::parse_uri(base_);
    if (!url || url->scheme() != "http") return Error{"--url " + base_ + ": expected http://HOST:PORT"};
    const std::string host = url->host_address();
    const std::string port = url->has_port() ? std::string(url->port()) : "80";
    try {
        asio::io_context io;
        asio::ip::tcp::resolver resolver(io);
        beast::tcp_stream stream(io);
        stream.expires_after(std::chrono::seconds(30));
        stream.connect(resolver.resolve(host, port));
        http::request<http::string_body> req{http::string_to_verb(method), path, 11};
        req.set(http::field::host, host);
        req.set(http::field::accept, accept);
        req.set(http::field::user_agent, "dockctl/" DOCKD_VERSION);
        if (!token_.empty()) req.set(http::field::authorization, "Bearer " + token_);
        if (!approval_ref_.empty()) req.set("X-Approval-Ref", approval_ref_);
        if (!body.empty()) {
            req.set(http::field::content_type, "application/json");
            req.body() = body;
        }
        req.prepare_payload();
        http::write(stream, req);
        beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.body_limit(256 * 1024 * 1024);
        http::read(stream, buffer, parser);
        auto& res = parser.get();
        beast::error_code ec;
        stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
        return Reply{static_cast<int>(res.result_int()), std::string(res[http::field::content_type]), res.body()};
    } catch (const boost::system::system_error& e) {
        return Error{"cannot reach dockd at " + base_ + ": " + e.code().message() + " (is the daemon running?)"};
    }
}

}  // namespace dockd::dockctl
