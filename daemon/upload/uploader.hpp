// Drains the persistent upload queue to every configured target, whenever the
// upload windows allow, with backoff on failure; then writes each finished
// docking's signed manifest and purges staging copies the targets confirmed.
// The queue also carries the archive's own proof (publisher.hpp).
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
#include "daemon/config/live.hpp"
#include "daemon/crypto/key_ring.hpp"
#include "daemon/custody/store.hpp"
#include "daemon/staging/staging.hpp"
#include "daemon/upload/publisher.hpp"

namespace dockd::upload {

class Uploader {
public:
    using TargetList = std::vector<std::shared_ptr<archive::Target>>;

    Uploader(boost::asio::io_context& io, boost::asio::thread_pool& pool, custody::Store& store,
             staging::StagingArea& staging, TargetList targets, const config::LiveConfig& cfg, crypto::KeyRing& keys,
             const Clock* clock = nullptr);
    void start();
    void stop();
    void wake();                                   // new work queued: don't wait for the next tick
    std::vector<std::string> target_urls() const;  // any thread
    std::shared_ptr<const TargetList> targets() const;
    // A reload: uploads started from now on go to these targets (an upload in
    // flight finishes on the target object it began with), and the publisher
    // follows them and the config in force (upload.segment_interval).
    void reconfigure(TargetList targets);
    // Standing problems of the targets (credentials refused, bucket missing,
    // conflicting object), newest last; for the station's alert list.
    std::vector<std::string> alerts() const;
    Publisher& publisher() { return *publisher_; }

private:
    boost::asio::awaitable<void> run();
    boost::asio::awaitable<void> upload_one(custody::UploadJob job);
    // true when at least one manifest reached a target (a segment is then due).
    boost::asio::awaitable<bool> write_manifests();
    std::multiset<std::int64_t>& in_flight(const custody::UploadJob& job);
    Result<void> put_media(archive::Target& target, const custody::UploadJob& job);
    void record_failure(const custody::UploadJob& job, const Error& error, archive::Failure failure);
    boost::asio::awaitable<void> purge_staging();
    std::shared_ptr<archive::Target> target_for(const std::string& url) const;
    std::int64_t backoff_ms(int attempts);
    bool window_open() const;
    std::int64_t now_ms() const { return to_unix_ms(clock_.now()); }
    void raise_alert(const std::string& key, const std::string& text);
    void clear_alert(const std::string& key);
    void check_deadline();

    boost::asio::io_context& io_;
    boost::asio::thread_pool& pool_;
    custody::Store& store_;
    staging::StagingArea& staging_;
    mutable std::mutex targets_mutex_;
    std::shared_ptr<const TargetList> targets_;  // replaced whole by a reload
    const config::LiveConfig& cfg_;
    crypto::KeyRing& keys_;
    boost::asio::steady_timer tick_;
    // One entry per running upload (a file goes to several targets at once):
    // an id stays excluded from the queue until its last upload ends, so the
    // second target's row is never started twice.
    std::multiset<std::int64_t> in_flight_;               // file ids
    std::multiset<std::int64_t> publications_in_flight_;  // publication ids
    std::atomic<bool> stopping_{false};
    std::atomic<bool> woken_{false};
    std::mt19937_64 rng_{std::random_device{}()};
    const Clock& clock_;
    std::unique_ptr<Publisher> publisher_;
    mutable std::mutex alerts_mutex_;
    std::map<std::string, std::string> alerts_;            // key (target or file) -> text
    std::atomic<std::int64_t> next_deadline_check_ms_{0};  // read on the pool, reset on the io thread
};

}  // namespace dockd::upload
