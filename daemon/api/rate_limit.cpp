#include "daemon/api/rate_limit.hpp"

#include <algorithm>

namespace dockd::api {

bool RateLimiter::allow(const std::string& client, Clock::time_point now) {
    // Full buckets carry no information: drop them when the table grows.
    if (buckets_.size() > 4096)
        std::erase_if(buckets_, [&](const auto& kv) {
            return kv.second.tokens + rate_ * std::chrono::duration<double>(now - kv.second.at).count() >= burst_;
        });
    auto [it, fresh] = buckets_.try_emplace(client, Bucket{burst_, now});
    auto& b = it->second;
    if (!fresh) {
        b.tokens = std::min(burst_, b.tokens + rate_ * std::chrono::duration<double>(now - b.at).count());
        b.at = now;
    }
    if (b.tokens < 1.0) return false;
    b.tokens -= 1.0;
    return true;
}

}  // namespace dockd::api
