// /metrics in the Prometheus text exposition format (version 0.0.4).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>

#include "daemon/station/station.hpp"

namespace dockd::api {

// What the API itself remembers between scrapes: replies by status and
// recent byte counts, from which throughput is derived.
class MetricsState {
public:
    // Both from any thread (API workers, the server's own refusals).
    void count_reply(int status) {
        std::lock_guard lock(mutex_);
        ++replies_[status];
    }
    std::string render(station::Station& station);

private:
    struct Sample {
        std::chrono::steady_clock::time_point at;
        double ingested_bytes, uploaded_bytes;
    };
    std::mutex mutex_;
    std::map<int, std::uint64_t> replies_;
    std::deque<Sample> samples_;
};

}  // namespace dockd::api
