#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dockd {

using SystemTime = std::chrono::system_clock::time_point;
// Milliseconds since the epoch in 64 bits: the type for times read from
// devices, which can hold any value (SystemTime overflows outside 1677..2262).
using MillisTime = std::chrono::sys_time<std::chrono::milliseconds>;

// 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z in Unix ms: the range
// RFC 3339 can write.
inline constexpr std::int64_t rfc3339_min_ms = -62135596800000;
inline constexpr std::int64_t rfc3339_max_ms = 253402300799999;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
// days_from_civil): exact for every year, no time_t or nanoseconds involved.
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day);
// True for a real calendar day of years 0001..9999 (no 2027-02-31).
bool valid_civil(int year, int month, int day);

// Strict parses of untrusted text, years 0001..9999, in 64-bit milliseconds:
// "YYYY-MM-DDTHH:MM:SS[.frac]Z" (hours 00..23, minutes and seconds 00..59;
// no leap second, which the station never writes) and "YYYY-MM-DD" (midnight
// UTC). Anything else, e.g. 9999-99-99, 2027-02-31 or T25:61:61Z, is nullopt.
std::optional<MillisTime> parse_rfc3339_ms(std::string_view text);
std::optional<MillisTime> parse_date_ms(std::string_view text);

// RFC 3339 UTC with millisecond precision: "2026-11-23T18:02:11.250Z".
std::string rfc3339(SystemTime t);
// As parse_rfc3339_ms, but nullopt also outside SystemTime's 1677..2262.
std::optional<SystemTime> parse_rfc3339(std::string_view text);

// RFC 3339 of a device time; nullopt outside years 0001..9999.
std::optional<std::string> rfc3339(MillisTime t);
// The UTC calendar year of t (any int64 ms value).
std::int64_t utc_year(MillisTime t);

std::int64_t to_unix_ms(SystemTime t);
inline std::int64_t to_unix_ms(MillisTime t) {
    return t.time_since_epoch().count();
}
inline MillisTime millis_time(std::int64_t unix_ms) {
    return MillisTime(std::chrono::milliseconds(unix_ms));
}
// a - b, or nullopt when it does not fit in 64 bits.
std::optional<std::int64_t> checked_sub(std::int64_t a, std::int64_t b);
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
