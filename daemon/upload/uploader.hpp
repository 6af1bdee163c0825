// Drains the persistent upload queue to every configured target, whenever the
// upload windows allow, with backoff on failure; then writes each finished
// docking's signed manifest and purges staging copies the targets confirmed.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "daemon/archive/target.hpp"
#include "daemon/common/time.hpp"
#include "daemon/config/config.hpp"
#include "daemon/crypto/station_key.hpp"
#include "daemon/custody/store.hpp"
#include "daemon/ingest/staging.hpp"

namespace dockd::upload {

class Uploader {
public:
    Uploader(boost::asio::io_context& io, boost::asio::thread_pool& pool, custody::Store& store,
             ingest::StagingArea& staging, std::vector<std::unique_ptr<archive::Target>> targets,
             const config::Config& cfg, const crypto::StationKey& key, const Clock* clock = nullptr);
    void start();
    void stop();
    void wake();  // new work queued: don't wait for the next tick
    std::vector<std::string> target_urls() const;
    // Standing problems of the targets (credentials refused, bucket missing,
    // conflicting object), newest last; for the station's alert list.
    std::vector<std::string> alerts() const;

private:
    boost::asio::awaitable<void> run();
    boost::asio::awaitable<void> upload_one(custody::UploadJob job);
    boost::asio::awaitable<void> write_manifests();
    boost::asio::awaitable<void> purge_staging();
    archive::Target* target_for(const std::string& url);
    std::int64_t backoff_ms(int attempts);
    bool window_open() const;
    std::int64_t now_ms() const { return to_unix_ms(clock_.now()); }
    void raise_alert(const std::string& key, const std::string& text);
    void clear_alert(const std::string& key);
    void check_deadline();

    boost::asio::io_context& io_;
    boost::asio::thread_pool& pool_;
    custody::Store& store_;
    ingest::StagingArea& staging_;
    std::vector<std::unique_ptr<archive::Target>> targets_;
    const config::Config& cfg_;
    const crypto::StationKey& key_;
    boost::asio::steady_timer tick_;
    std::set<std::int64_t> in_flight_;
    std::atomic<bool> stopping_{false};
    std::mt19937_64 rng_{std::random_device{}()};
    const Clock& clock_;
    mutable std::mutex alerts_mutex_;
    std::map<std::string, std::string> alerts_;            // key (target or file) -> text
    std::atomic<std::int64_t> next_deadline_check_ms_{0};  // read on the pool, reset on the io thread
};

}  // namespace dockd::upload
