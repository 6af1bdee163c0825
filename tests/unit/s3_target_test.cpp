// daemon/archive/s3 S3Target against a scripted S3 endpoint on loopback (plain
// http, Beast on a thread): how it acts on the store's answers that Swift
// cannot be made to give (a skewed clock, SlowDown, 501 to conditional PUT),
// and that secrets never reach an error message.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <ctime>
#include <fstream>
#include <functional>
#include <mutex>
#include <thread>

#include "daemon/archive/target.hpp"
#include "daemon/common/time.hpp"
#include "tests/unit/support.hpp"

namespace dockd::archive {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

class FakeS3 {
public:
    using Handler = std::function<Response(const Request&)>;
    explicit FakeS3(Handler h) : handler_(std::move(h)), acceptor_(ioc_, {asio::ip::make_address("127.0.0.1"), 0}) {
        thread_ = std::thread([this] { serve(); });
    }
    ~FakeS3() {
        stop_ = true;
        asio::ip::tcp::socket s(ioc_);
        boost::system::error_code ec;
        s.connect(acceptor_.local_endpoint(), ec);
        thread_.join();
    }
    unsigned short port() const { return acceptor_.local_endpoint().port(); }
    std::vector<Request> seen() {
        std::lock_guard lock(m_);
        return seen_;
    }

private:
    void serve() {
        while (!stop_) {
            asio::ip::tcp::socket s(ioc_);
            boost::system::error_code ec;
            acceptor_.accept(s, ec);
            if (ec || stop_) return;
            beast::flat_buffer buf;
            for (;;) {
                Request req;
                http::read(s, buf, req, ec);
                if (ec) break;
                {
                    std::lock_guard lock(m_);
                    seen_.push_back(req);
                }
                Response res = handler_(req);
                res.keep_alive(req.keep_alive());
                if (req.method() != http::verb::head) res.prepare_payload();
                http::write(s, res, ec);
                if (ec) break;
            }
        }
    }
    Handler handler_;
    asio::io_context ioc_;
    asio::ip::tcp::acceptor acceptor_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    std::mutex m_;
    std::vector<Request> seen_;
};

std::string http_date(SystemTime t) {
    const std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm utc{};
    gmtime_r(&tt, &utc);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &utc);
    return buf;
}

SystemTime amz_time(const Request& r) {
    std::tm tm{};
    strptime(std::string(r["x-amz-date"]).c_str(), "%Y%m%dT%H%M%SZ", &tm);
    return std::chrono::system_clock::from_time_t(timegm(&tm));
}

Response reply(const Request& r, http::status s, std::string body = {}) {
    Response res{s, r.version()};
    res.body() = std::move(body);
    return res;
}

Response s3_error(const Request& r, http::status s, const std::string& code, SystemTime date) {
    auto res = reply(r, s,
                     r.method() == http::verb::head
                         ? ""
                         : "<Error><Code>" + code + "</Code><Message>" + code + " says the store</Message></Error>");
    res.set(http::field::date, http_date(date));
    return res;
}

class S3TargetScripted : public ::testing::Test {
protected:
    std::unique_ptr<Target> target(unsigned short port) {
        const auto creds = tmp_.path() / "s3.credentials";
        std::ofstream(creds) << "[default]\naws_access_key_id = AKTEST\naws_secret_access_key = " << secret_ << "\n";
        config::TargetConfig cfg;
        cfg.url = "s3://bkt/pre";
        cfg.kind = config::TargetKind::s3;
        cfg.bucket = "bkt";
        cfg.prefix = "pre";
        cfg.endpoint = "http://127.0.0.1:" + std::to_string(port);
        cfg.credentials_file = creds;
        auto t = make_target(cfg, "ST01");
        EXPECT_TRUE(t.ok()) << t.error().message;
        return t.ok() ? std::move(*t) : nullptr;
    }
    test_support::TempDir tmp_{"s3target"};
    const std::string secret_ = "SeCrEt/KeY+123";
};

// An in-memory bucket whose clock runs an hour ahead of ours, answering 501
// to If-None-Match like Swift.
TEST_F(S3TargetScripted, SkewedClockIsReSignedWithTheStoresTimeAndConditionalPutFallsBack) {
    std::mutex m;
    std::map<std::string, std::pair<std::string, std::string>> objects;  // target -> (bytes, sha256 meta)
    int skew_refusals = 0;
    FakeS3 server([&](const Request& r) {
        const auto store_now = std::chrono::system_clock::now() + std::chrono::hours(1);
        if (std::chrono::abs(amz_time(r) - store_now) > std::chrono::minutes(15)) {
            std::lock_guard lock(m);
            ++skew_refusals;
            return s3_error(r, http::status::forbidden, "RequestTimeTooSkewed", store_now);
        }
        const std::string key(r.target());
        std::lock_guard lock(m);
        if (r.method() == http::verb::head) {
            auto it = objects.find(key);
            if (it == objects.end()) return reply(r, http::status::not_found);
            auto res = reply(r, http::status::ok);
            res.content_length(it->second.first.size());
            res.set("x-amz-meta-sha256", it->second.second);
            return res;
        }
        if (r.method() == http::verb::put && r.count("if-none-match"))
            return s3_error(r, http::status::not_implemented, "NotImplemented", store_now);
        if (r.method() == http::verb::put) {
            objects[key] = {r.body(), std::string(r["x-amz-meta-sha256"])};
            return reply(r, http::status::ok);
        }
        return reply(r, http::status::bad_request);
    });
    auto t = target(server.port());
    ASSERT_TRUE(t);
    auto r = t->put_bytes("manifests/ST01/d1.json", "{\"schema\":\"dockd.manifest/1\"}");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(skew_refusals, 1);  // learnt once from a HEAD's Date, then every request signed on the store's time
    ASSERT_EQ(objects.count("/bkt/pre/manifests/ST01/d1.json"), 1u);
    EXPECT_EQ(objects["/bkt/pre/manifests/ST01/d1.json"].first, "{\"schema\":\"dockd.manifest/1\"}");
    std::vector<std::string> puts;
    for (const auto& q : server.seen())
        if (q.method() == http::verb::put) puts.push_back(q.count("if-none-match") ? "conditional" : "plain");
    EXPECT_EQ(puts, (std::vector<std::string>{"conditional", "plain"}));
    for (const auto& q : server.seen()) {
        EXPECT_EQ(std::string(q["x-amz-content-sha256"]).size(), 64u);
        if (q.method() == http::verb::put) {
            EXPECT_FALSE(std::string(q["content-md5"]).empty());
        }
    }
    // Identical re-offer: nothing written again.
    const auto before = server.seen().size();
    ASSERT_TRUE(t->put_bytes("manifests/ST01/d1.json", "{\"schema\":\"dockd.manifest/1\"}").ok());
    const auto after = server.seen();
    ASSERT_EQ(after.size(), before + 1);
    EXPECT_EQ(after.back().method(), http::verb::head);
}

TEST_F(S3TargetScripted, SlowDownIsRetriedLaterAndAccessDeniedStopsWithoutTheSecret) {
    std::atomic<int> mode{0};
    FakeS3 server([&](const Request& r) {
        const auto now = std::chrono::system_clock::now();
        if (r.method() == http::verb::head) return reply(r, http::status::not_found);
        if (mode == 0) return s3_error(r, http::status::service_unavailable, "SlowDown", now);
        if (mode == 1) return s3_error(r, http::status::not_found, "NoSuchBucket", now);
        auto res = s3_error(r, http::status::forbidden, "AccessDenied", now);
        res.body() = "<Error><Code>AccessDenied</Code><Message>denied for " + std::string(r["authorization"]) +
                     " SeCrEt/KeY+123</Message></Error>";
        return res;
    });
    auto t = target(server.port());
    ASSERT_TRUE(t);
    auto slow = t->put_bytes("a.json", "{}");
    ASSERT_FALSE(slow.ok());
    EXPECT_EQ(failure_of(slow.error()), Failure::transient);
    EXPECT_NE(slow.error().message.find("HTTP 503 SlowDown"), std::string::npos) << slow.error().message;
    mode = 1;
    auto nobucket = t->put_bytes("a.json", "{}");
    ASSERT_FALSE(nobucket.ok());
    EXPECT_EQ(failure_of(nobucket.error()), Failure::no_bucket);
    mode = 2;
    auto denied = t->put_bytes("a.json", "{}");
    ASSERT_FALSE(denied.ok());
    EXPECT_EQ(failure_of(denied.error()), Failure::credentials);
    EXPECT_EQ(denied.error().message.find(secret_), std::string::npos) << denied.error().message;
    EXPECT_NE(denied.error().message.find("[redacted]"), std::string::npos);
}

}  // namespace
}  // namespace dockd::archive
