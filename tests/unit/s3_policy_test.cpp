// daemon/upload queue policy with an injected clock and a recording target:
// nothing goes out while the upload window is closed; a target that refuses
// our credentials is paused (one request, not a storm) with the reason visible
// in the queue rows dockctl shows; transient failures back off and say why.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <ctime>
#include <fstream>
#include <mutex>

#include "daemon/upload/uploader.hpp"
#include "tests/unit/support.hpp"

namespace dockd::upload {
namespace {

using namespace std::chrono_literals;

class TestClock final : public Clock {
public:
    explicit TestClock(SystemTime t) : t_(t) {}
    SystemTime now() const override {
        std::lock_guard lock(m_);
        return t_;
    }
    void set(SystemTime t) {
        std::lock_guard lock(m_);
        t_ = t;
    }

private:
    mutable std::mutex m_;
    SystemTime t_;
};

SystemTime today_at(int hour) {
    std::time_t t = std::time(nullptr);
    std::tm local{};
    localtime_r(&t, &local);
    local.tm_hour = hour, local.tm_min = 0, local.tm_sec = 0, local.tm_isdst = -1;
    return std::chrono::system_clock::from_time_t(std::mktime(&local));
}

// Records every put; answers with the configured result.
class RecordingTarget final : public archive::Target {
public:
    explicit RecordingTarget(std::string url) : url_(std::move(url)) {}
    const std::string& url() const override { return url_; }
    Result<void> put_file(const std::string& key, const std::filesystem::path&, const archive::ObjectInfo&,
                          const std::atomic<bool>&) override {
        std::lock_guard lock(m_);
        keys.push_back(key);
        return answer;
    }
    // Manifests and publications (audit segments, keys) meet the same answer.
    Result<void> put_bytes(const std::string&, std::string_view) override {
        std::lock_guard lock(m_);
        return answer;
    }
    Result<void> recover() override { return {}; }
    Result<std::optional<archive::ObjectStat>> stat(const std::string&) override {
        return std::optional<archive::ObjectStat>();
    }
    Result<void> read(const std::string& key, const archive::ChunkSink&, const std::atomic<bool>&) override {
        return Error{"no " + key};
    }
    Result<void> list(const std::string&, const archive::ObjectVisitor&) override { return {}; }
    std::size_t puts() {
        std::lock_guard lock(m_);
        return keys.size();
    }
    Result<void> answer;
    std::vector<std::string> keys;

private:
    std::mutex m_;
    std::string url_;
};

class UploadPolicy : public ::testing::Test {
protected:
    void SetUp() override {
        auto s = custody::Store::open(tmp_.path() / "custody.db");
        ASSERT_TRUE(s.ok()) << s.error().message;
        store_ = std::move(*s);
        staging_ = std::make_unique<staging::StagingArea>(tmp_.path() / "staging");
        ASSERT_TRUE(staging_->prepare().ok());
        auto k = crypto::KeyRing::open(tmp_.path(), {});
        ASSERT_TRUE(k.ok()) << k.error().message;
        keys_ = std::move(*k);
        cfg_.station.id = "TEST-ST01";
        cfg_.upload.concurrency = 2;
        cfg_.upload.retry = {10ms, 1h};
        cfg_.retention.purge_staging_after_archive = false;
    }

    void queue_files(int n, SystemTime ingested = today_at(12)) {
        const auto docking = store_->open_docking(1, {"ZFY0001", "Sim", "S1", "1.0"}, std::nullopt).id;
        for (int i = 0; i < n; ++i) {
            custody::StagedFile f;
            f.docking_id = docking;
            f.serial = "ZFY0001";
            f.device_path = "DCIM/v" + std::to_string(i) + ".mp4";
            f.size = 5;
            f.device_mtime_ms = 1'780'000'000'000 + i;
            f.sha256 = test_support::evp_sha256_hex("hello");
            f.staging_name = docking + "/" + std::to_string(i);
            f.object_key = "media/ZFY0001/v" + std::to_string(i) + ".mp4";
            f.recorded_at_device = f.recorded_at = "2026-11-23T10:00:00.000Z";
            f.ingested_at = rfc3339(ingested);
            std::filesystem::create_directories(staging_->path_of(f.staging_name).parent_path());
            std::ofstream(staging_->path_of(f.staging_name)) << "hello";
            store_->commit_staged(f, {target_url_});
        }
    }

    RecordingTarget& start(TestClock& clock) {
        auto t = std::make_unique<RecordingTarget>(target_url_);
        auto& ref = *t;
        Uploader::TargetList targets;
        targets.push_back(std::move(t));
        live_ = std::make_unique<config::LiveConfig>(cfg_);
        uploader_ =
            std::make_unique<Uploader>(io_, pool_, *store_, *staging_, std::move(targets), *live_, *keys_, &clock);
        uploader_->start();
        return ref;
    }

    void run_for(std::chrono::milliseconds d) {
        io_.restart();
        io_.run_for(d);
    }

    void TearDown() override {
        if (uploader_) uploader_->stop();
        run_for(500ms);
        pool_.join();
    }

    test_support::TempDir tmp_{"s3policy"};
    const std::string target_url_ = "s3://central/footage";
    boost::asio::io_context io_;
    boost::asio::thread_pool pool_{2};
    std::unique_ptr<custody::Store> store_;
    std::unique_ptr<staging::StagingArea> staging_;
    std::unique_ptr<crypto::KeyRing> keys_;
    config::Config cfg_;  // set before start(), which makes it the config in force
    std::unique_ptr<config::LiveConfig> live_;
    std::unique_ptr<Uploader> uploader_;
};

TEST_F(UploadPolicy, NothingIsSentOutsideTheWindowAndAllOnceItOpens) {
    cfg_.upload.windows = {config::TimeWindow{22 * 60, 6 * 60}};  // "22:00-06:00", spans midnight
    queue_files(3);
    TestClock clock(today_at(12));
    auto& target = start(clock);
    run_for(2500ms);  // two and more ticks of the queue at noon
    EXPECT_EQ(target.puts(), 0u);
    EXPECT_EQ(store_->queue_summary(to_unix_ms(clock.now())).pending, 3);

    clock.set(today_at(23));
    uploader_->wake();
    run_for(2000ms);
    EXPECT_EQ(target.puts(), 3u);
    EXPECT_EQ(store_->queue_summary(to_unix_ms(clock.now())).done, 3);

    clock.set(today_at(7));  // closed again after 06:00: new work waits
    queue_files(0);
    run_for(1200ms);
    EXPECT_EQ(target.puts(), 3u);
}

TEST_F(UploadPolicy, RefusedCredentialsPauseTheTargetWithTheReasonVisible) {
    queue_files(6);
    TestClock clock(today_at(12));
    auto& target = start(clock);
    target.answer = Error{"s3://central/footage: PUT k: HTTP 403 InvalidAccessKeyId", 0, archive::Failure::credentials};
    run_for(2500ms);
    // At most one request per concurrent slot, then the whole target waits retry.max.
    EXPECT_GE(target.puts(), 1u);
    EXPECT_LE(target.puts(), 2u);
    const auto rows = store_->upload_rows(100);
    ASSERT_EQ(rows.size(), 6u);
    for (const auto& r : rows) {
        EXPECT_EQ(r.state, "pending");
        EXPECT_EQ(r.reason_class.value_or(""), "credentials") << r.file_id;
        EXPECT_NE(r.last_error.value_or("").find("InvalidAccessKeyId"), std::string::npos);
        EXPECT_GE(r.next_attempt_ms, to_unix_ms(clock.now() + 59min));
    }
    const auto alerts = uploader_->alerts();
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_NE(alerts[0].find("credentials"), std::string::npos);

    // Fixed credentials: after retry.max everything goes and the alert clears.
    target.answer = {};
    clock.set(clock.now() + 61min);
    uploader_->wake();
    run_for(2000ms);
    EXPECT_EQ(store_->queue_summary(to_unix_ms(clock.now())).done, 6);
    EXPECT_TRUE(uploader_->alerts().empty());
}

TEST_F(UploadPolicy, TransientFailuresBackOffWithJitterWithinRetryMax) {
    cfg_.upload.retry = {200ms, 2s};
    queue_files(1);
    TestClock clock(today_at(12));
    auto& target = start(clock);
    target.answer = Error{"s3://central/footage: PUT k: HTTP 503 SlowDown: Please reduce your request rate."};
    run_for(1500ms);  // the clock stands still: one attempt, then a wait in [0, 200 ms] of test time
    const auto rows = store_->upload_rows(10);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].reason_class.value_or(""), "transient");
    EXPECT_NE(rows[0].last_error.value_or("").find("SlowDown"), std::string::npos);
    EXPECT_LE(rows[0].next_attempt_ms, to_unix_ms(clock.now() + 200ms));
    const auto before = target.puts();
    // Many attempts later the ceiling is retry.max, never more.
    for (int i = 0; i < 12; ++i) {
        clock.set(clock.now() + 2s);
        uploader_->wake();
        run_for(300ms);
    }
    EXPECT_GT(target.puts(), before + 5);
    const auto later = store_->upload_rows(10);
    EXPECT_LE(later[0].next_attempt_ms, to_unix_ms(clock.now() + 2s));
    EXPECT_GT(later[0].attempts, 5);
}

// Seed R3: a file older than retention.upload_deadline without being archived is an alert.
TEST_F(UploadPolicy, AlertsWhenAFileMissesTheUploadDeadline) {
    queue_files(1, today_at(12) - 25h);
    TestClock clock(today_at(12));
    auto& target = start(clock);
    target.answer = Error{"s3://central/footage: connect: Connection refused"};
    run_for(1200ms);
    const auto alerts = uploader_->alerts();
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0].rfind("upload_deadline: 1 file(s) not archived, the oldest for 1500 min", 0), 0u) << alerts[0];
    EXPECT_NE(alerts[0].find("Connection refused"), std::string::npos);
}

}  // namespace
}  // namespace dockd::upload
