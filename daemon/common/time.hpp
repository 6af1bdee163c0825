#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace dockd {

using SystemTime = std::chrono::system_clock::time_point;

// RFC 3339 UTC with millisecond precision: "2026-11-23T18:02:11.250Z".
std::string rfc3339(SystemTime t);
std::optional<SystemTime> parse_rfc3339(std::string_view text);
// "YYYY-MM-DD" → midnight UTC of that day.
std::optional<SystemTime> parse_date(std::string_view text);

std::int64_t to_unix_ms(SystemTime t);
SystemTime from_unix_ms(std::int64_t ms);

// The station's clocks: real time and a test clock share this seam.
class Clock {
public:
    virtual ~Clock() = default;
    virtual SystemTime now() const = 0;
};

class SystemClock final : public Clock {
public:
    SystemTime now() const override { return std::chrono::system_clock::now(); }
};

}  // namespace dockd
