// api: where the local HTTP API listens and who may use it.
#include <arpa/inet.h>

#include <charconv>
#include <cstring>

#include "daemon/config/reader.hpp"

namespace dockd::config::detail {
namespace {

struct Listen {
    std::string host;
    std::uint16_t port = 0;
    bool loopback = false;
};

bool is_hostname(const std::string& s) {
    if (s.empty() || s.size() > 253) return false;
    for (char c : s) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
        if (!ok) return false;
    }
    return true;
}

// "HOST:PORT" or "[IPV6]:PORT"; returns the problem in `problem` on failure.
std::optional<Listen> parse_listen(const std::string& text, std::string& problem) {
    Listen l;
    std::string port;
    bool bracketed = text.starts_with('[');
    if (bracketed) {
        auto close = text.find(']');
        if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
            problem = "expected [IPV6]:PORT";
            return std::nullopt;
        }
        l.host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        auto colon = text.rfind(':');
        if (colon == std::string::npos) {
            problem = "expected HOST:PORT";
            return std::nullopt;
        }
        l.host = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (l.host.find(':') != std::string::npos) {
            problem = "IPv6 addresses go in brackets: [::1]:8470";
            return std::nullopt;
        }
    }
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || value < 1 || value > 65535) {
        problem = "port must be 1..65535";
        return std::nullopt;
    }
    l.port = static_cast<std::uint16_t>(value);

    in_addr v4{};
    in6_addr v6{};
    if (bracketed) {
        if (inet_pton(AF_INET6, l.host.c_str(), &v6) != 1) {
            problem = "'" + l.host + "' is not an IPv6 address";
            return std::nullopt;
        }
        static const unsigned char mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        l.loopback = IN6_IS_ADDR_LOOPBACK(&v6) ||
                     (std::memcmp(v6.s6_addr, mapped_prefix, sizeof mapped_prefix) == 0 && v6.s6_addr[12] == 127);
    } else if (inet_pton(AF_INET, l.host.c_str(), &v4) == 1) {
        l.loopback = (ntohl(v4.s_addr) >> 24) == 127;  // 127.0.0.0/8
    } else if (is_hostname(l.host)) {
        l.loopback = l.host == "localhost";
    } else {
        problem = "'" + l.host + "' is not a host name or address";
        return std::nullopt;
    }
    return l;
}

}  // namespace

void read_api(Section& root, ApiConfig& out) {
    Context& ctx = root.ctx();
    Section s(ctx, root.get("api"), "api", {"listen", "tokens_file", "require_approval_ref"}, root.line("api"));
    if (!s.valid()) return;
    bool has_tokens = s.path("tokens_file", out.tokens_file);
    if (has_tokens) check_secret_file(ctx, Context::line_of(s.get("tokens_file")), "api.tokens_file", out.tokens_file);

    s.boolean("require_approval_ref", out.require_approval_ref);
    s.string("listen", out.listen);
    std::string problem;
    auto listen = parse_listen(out.listen, problem);
    int line = s.has("listen") ? Context::line_of(s.get("listen")) : s.line();
    if (!listen) {
        ctx.error(line, "api.listen: '" + out.listen + "': " + problem);
        return;
    }
    out.listen_host = listen->host;
    out.listen_port = listen->port;
    // Without tokens anyone who can reach the socket controls the dock.
    if (!listen->loopback && !has_tokens)
        ctx.error(line, "api.listen on a non-loopback address requires api.tokens_file");
}

}  // namespace dockd::config::detail
