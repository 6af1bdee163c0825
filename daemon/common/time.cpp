#include "daemon/common/time.hpp"

#include <cstdio>
#include <ctime>
#include <limits>

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

namespace {

// Reads exactly `n` ASCII digits at text[pos] (no sign, no space, unlike sscanf).
std::optional<int> digits(std::string_view text, std::size_t pos, std::size_t n) {
    if (pos + n > text.size()) return std::nullopt;
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (text[i] < '0' || text[i] > '9') return std::nullopt;
        v = v * 10 + (text[i] - '0');
    }
    return v;
}

constexpr std::int64_t ms_per_day = 86'400'000;

// "YYYY-MM-DD" at the start of text, as days since the epoch.
std::optional<std::int64_t> civil_prefix(std::string_view text) {
    if (text.size() < 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    auto y = digits(text, 0, 4), m = digits(text, 5, 2), d = digits(text, 8, 2);
    if (!y || !m || !d || !valid_civil(*y, *m, *d)) return std::nullopt;
    return days_from_civil(*y, static_cast<unsigned>(*m), static_cast<unsigned>(*d));
}

}  // namespace

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);                 // [0, 399]
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            // [0, 146096]
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool valid_civil(int y, int m, int d) {
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
    static constexpr int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= month_days[m - 1] + (m == 2 && leap ? 1 : 0);
}

std::optional<MillisTime> parse_date_ms(std::string_view text) {
    if (text.size() != 10) return std::nullopt;
    auto day = civil_prefix(text);
    if (!day) return std::nullopt;
    return millis_time(*day * ms_per_day);
}

std::optional<MillisTime> parse_rfc3339_ms(std::string_view text) {
    auto day = civil_prefix(text);
    if (!day || text.size() < 20 || text[10] != 'T' || text[13] != ':' || text[16] != ':') return std::nullopt;
    auto h = digits(text, 11, 2), mi = digits(text, 14, 2), s = digits(text, 17, 2);
    if (!h || !mi || !s || *h > 23 || *mi > 59 || *s > 59) return std::nullopt;
    std::size_t pos = 19;
    int frac_ms = 0;
    if (text[pos] == '.') {
        const std::size_t first = ++pos;
        for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos)
            if (pos - first < 3) frac_ms = frac_ms * 10 + (text[pos] - '0');
        if (pos == first) return std::nullopt;
        for (std::size_t n = pos - first; n < 3; ++n) frac_ms *= 10;
    }
    if (pos + 1 != text.size() || text[pos] != 'Z') return std::nullopt;
    return millis_time(*day * ms_per_day + ((*h * 60 + *mi) * 60 + *s) * 1000LL + frac_ms);
}

std::optional<SystemTime> parse_rfc3339(std::string_view text) {
    auto t = parse_rfc3339_ms(text);
    // SystemTime counts nanoseconds in 64 bits: about 1677-09-21..2262-04-11.
    constexpr std::int64_t limit_ms = std::numeric_limits<std::int64_t>::max() / 1'000'000;
    if (!t || to_unix_ms(*t) <= -limit_ms || to_unix_ms(*t) >= limit_ms) return std::nullopt;
    return from_unix_ms(to_unix_ms(*t));
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
