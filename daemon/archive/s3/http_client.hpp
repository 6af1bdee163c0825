// One keep-alive HTTP/1.1 connection to an S3 endpoint, over TLS with
// certificate and host-name verification (SNI sent), or plain http when the
// endpoint URL says so. Beast and Asio SSL stay in the .cpp: this header is
// cheap to include. Calls block the calling (pool) thread; each runs its own
// small io_context so every read and write has a stall timeout.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/archive/throttle.hpp"
#include "daemon/common/result.hpp"

namespace dockd::archive::s3 {

struct Endpoint {
    bool tls = true;
    std::string host;  // DNS name or IP literal, used for SNI and verification
    std::string port;
    std::filesystem::path ca_file;  // empty: the system's trust store
};

struct HttpRequest {
    std::string method;  // GET HEAD PUT POST DELETE
    std::string target;  // encoded path and query: "/bucket/key?uploadId=..."
    std::vector<std::pair<std::string, std::string>> headers;
    // The body: in memory, or a file range streamed through a fixed buffer.
    std::string body;
    int body_fd = -1;
    std::uint64_t body_offset = 0, body_length = 0;
    // May be sent again on a fresh connection when a kept-alive one turns out dead.
    bool idempotent = true;
};

struct HttpResponse {
    int status = 0;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
    std::string header(const std::string& lower_name) const {
        auto it = headers.find(lower_name);
        return it == headers.end() ? std::string() : it->second;
    }
};

// Receives a 2xx reply's body in order, chunk by chunk (a GET streamed
// through a fixed buffer); an error stops the read and is returned by send.
using BodySink = std::function<Result<void>(std::string_view chunk)>;

class HttpClient {
public:
    HttpClient(Endpoint endpoint, std::shared_ptr<Throttle> throttle, std::chrono::seconds stall_timeout);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // Transport failures (refused, reset, TLS, stall, truncated reply) are
    // errors; any HTTP status is a response. With a sink, a 2xx body goes to
    // it instead of HttpResponse::body (which keeps only small error bodies).
    Result<HttpResponse> send(const HttpRequest& request, const std::atomic<bool>& cancelled,
                              const BodySink* sink = nullptr);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace dockd::archive::s3
