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

Result<Reply> Client::get(const std::string& path, const std::string& accept) const {
    auto url = boost::urls::parse_uri(base_);
    if (!url || url->scheme() != "http")
        return Error{"--url " + base_ + ": expected http://HOST:PORT"};
    const std::string host = url->host_address();
    const std::string port = url->has_port() ? std::string(url->port()) : "80";
    try {
        asio::io_context io;
        asio::ip::tcp::resolver resolver(io);
        beast::tcp_stream stream(io);
        stream.expires_after(std::chrono::seconds(30));
        stream.connect(resolver.resolve(host, port));
        http::request<http::empty_body> req{http::verb::get, path, 11};
        req.set(http::field::host, host);
        req.set(http::field::accept, accept);
        req.set(http::field::user_agent, "dockctl/" DOCKD_VERSION);
        if (!token_.empty()) req.set(http::field::authorization, "Bearer " + token_);
        http::write(stream, req);
        beast::flat_buffer buffer;
        http::response<http::string_body> res;
        http::read(stream, buffer, res);
        beast::error_code ec;
        stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
        return Reply{static_cast<int>(res.result_int()), std::string(res[http::field::content_type]), res.body()};
    } catch (const boost::system::system_error& e) {
        return Error{"cannot reach dockd at " + base_ + ": " + e.code().message() + " (is the daemon running?)"};
    }
}

}  // namespace dockd::dockctl
