// One bandwidth cap shared by every upload of the station (upload.bandwidth_limit):
// a token bucket charged on socket writes. Callers ask before writing a chunk
// and sleep for the returned delay, so the long-run rate stays at the cap
// however many connections share it. The clock is injectable for tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>

namespace dockd::archive {

class Throttle {
public:
    using Clock = std::chrono::steady_clock;
    using Now = std::function<Clock::time_point()>;

    // bytes_per_s 0 = unlimited. burst_bytes: how much may go at once after idling.
    explicit Throttle(
        std::uint64_t bytes_per_s, std::uint64_t burst_bytes = 64 * 1024, Now now = [] { return Clock::now(); });

    // Takes bytes from the bucket (it may go into debt) and returns how long
    // the caller must wait before writing them.
    std::chrono::nanoseconds reserve(std::uint64_t bytes);
    std::uint64_t bytes_per_s() const { return rate_; }

private:
    std::uint64_t rate_;
    double burst_;
    Now now_;
    std::mutex mutex_;
    double tokens_;
    Clock::time_point last_;
};

}  // namespace dockd::archive
