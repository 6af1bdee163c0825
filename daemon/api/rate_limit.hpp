// Per-client request budget (token bucket by remote address): one client in
// a loop cannot starve the station's thread or the others.
#pragma once

#include <chrono>
#include <string>
#include <unordered_map>

namespace dockd::api {

class RateLimiter {
public:
    using Clock = std::chrono::steady_clock;
    RateLimiter(double per_second, double burst) : rate_(per_second), burst_(burst) {}
    // Takes one request from the client's budget; false when it is spent.
    bool allow(const std::string& client, Clock::time_point now = Clock::now());

private:
    struct Bucket {
        double tokens;
        Clock::time_point at;
    };
    double rate_, burst_;
    std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace dockd::api
