// The configuration in force, replaced as a whole by a reload (SIGHUP). Bays,
// the uploader and pool tasks read it through get() at the moment they need
// a value, so a reload takes effect at the next decision, never in the
// middle of one. Replaced versions are kept (a few kilobytes per reload):
// a reference taken from one by a copy in progress stays valid to its end.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "daemon/config/config.hpp"

namespace dockd::config {

class LiveConfig {
public:
    explicit LiveConfig(Config first) { replace(std::move(first)); }
    LiveConfig(const LiveConfig&) = delete;
    LiveConfig& operator=(const LiveConfig&) = delete;

    // Any thread.
    const Config& get() const { return *current_.load(std::memory_order_acquire); }
    const Config* operator->() const { return &get(); }

    void replace(Config next) {
        std::lock_guard lock(mutex_);
        versions_.push_back(std::make_unique<const Config>(std::move(next)));
        current_.store(versions_.back().get(), std::memory_order_release);
    }

private:
    std::mutex mutex_;
    std::vector<std::unique_ptr<const Config>> versions_;
    std::atomic<const Config*> current_{nullptr};
};

}  // namespace dockd::config
