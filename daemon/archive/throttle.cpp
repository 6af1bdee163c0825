#include "daemon/archive/throttle.hpp"

#include <algorithm>

namespace dockd::archive {

Throttle::Throttle(std::uint64_t bytes_per_s, std::uint64_t burst_bytes, Now now)
    : rate_(bytes_per_s),
      burst_(static_cast<double>(burst_bytes)),
      now_(std::move(now)),
      tokens_(burst_),
      last_(now_()) {}

std::chrono::nanoseconds Throttle::reserve(std::uint64_t bytes) {
    if (rate_ == 0) return std::chrono::nanoseconds(0);
    std::lock_guard lock(mutex_);
    const auto now = now_();
    const double elapsed_s = std::chrono::duration<double>(now - last_).count();
    last_ = std::max(now, last_);
    tokens_ = std::min(burst_, tokens_ + std::max(0.0, elapsed_s) * static_cast<double>(rate_));
    tokens_ -= static_cast<double>(bytes);
    if (tokens_ >= 0) return std::chrono::nanoseconds(0);
    return std::chrono::nanoseconds(static_cast<std::int64_t>(-tokens_ / static_cast<double>(rate_) * 1e9));
}

}  // namespace dockd::archive
