#include "daemon/common/time.hpp"

#include <cstdio>
#include <ctime>

namespace dockd {

std::string rfc3339(SystemTime t) {
    const auto ms = to_unix_ms(t);
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    int frac = static_cast<int>(ms % 1000);
    if (frac < 0) {
        frac += 1000;
        --secs;
    }
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
    return buf;
}

std::optional<SystemTime> parse_rfc3339(std::string_view text) {
    std::tm tm{};
    int frac_ms = 0;
    std::string s(text);
    int consumed = 0;
    if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                    &tm.tm_min, &tm.tm_sec, &consumed) != 6)
        return std::nullopt;
    std::size_t pos = static_cast<std::size_t>(consumed);
    if (pos < s.size() && s[pos] == '.') {
        int digits = 0;
        for (++pos; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos, ++digits)
            if (digits < 3) frac_ms = frac_ms * 10 + (s[pos] - '0');
        for (; digits < 3; ++digits) frac_ms *= 10;
    }
    if (pos + 1 != s.size() || s[pos] != 'Z') return std::nullopt;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    const std::time_t secs = timegm(&tm);
    return from_unix_ms(static_cast<std::int64_t>(secs) * 1000 + frac_ms);
}

std::optional<SystemTime> parse_date(std::string_view text) {
    std::string s(text);
    std::tm tm{};
    int consumed = 0;
    if (std::sscanf(s.c_str(), "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &consumed) != 3 ||
        static_cast<std::size_t>(consumed) != s.size())
        return std::nullopt;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return from_unix_ms(static_cast<std::int64_t>(timegm(&tm)) * 1000);
}

std::optional<std::string> rfc3339(MillisTime t) {
    const std::int64_t ms = to_unix_ms(t);
    if (ms < rfc3339_min_ms || ms > rfc3339_max_ms) return std::nullopt;
    using namespace std::chrono;
    const auto day = floor<days>(t);
    const year_month_day ymd(day);
    const hh_mm_ss<milliseconds> hms(t - day);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()), static_cast<int>(hms.subseconds().count()));
    return std::string(buf);
}

std::int64_t utc_year(MillisTime t) {
    using namespace std::chrono;
    // Exact within std::chrono::year's range; beyond it, the year by 365.2425-day years.
    const std::int64_t day = floor<days>(t).time_since_epoch().count();
    constexpr std::int64_t safe_days = 10'000'000;  // ~27,000 years either side
    if (day > -safe_days && day < safe_days) return static_cast<int>(year_month_day(sys_days(days(day))).year());
    return 1970 + day * 10'000 / 3'652'425;
}

std::optional<std::int64_t> checked_sub(std::int64_t a, std::int64_t b) {
    std::int64_t out = 0;
    if (__builtin_sub_overflow(a, b, &out)) return std::nullopt;
    return out;
}

std::int64_t to_unix_ms(SystemTime t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

SystemTime from_unix_ms(std::int64_t ms) {
    return SystemTime(std::chrono::duration_cast<SystemTime::duration>(std::chrono::milliseconds(ms)));
}

}  // namespace dockd
