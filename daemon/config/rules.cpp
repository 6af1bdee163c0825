#include "daemon/config/rules.hpp"

#include <algorithm>
#include <ctime>

#include "daemon/common/time.hpp"

namespace dockd::config {

std::optional<RetainUntil> retain_until(const RetentionConfig& r, const std::string& class_name,
                                        const std::optional<std::string>& recorded_at,
                                        const std::optional<std::string>& ingested_at) {
    const auto duration = r.duration_of(class_name).value_or(*r.duration_of("long_term"));
    std::optional<SystemTime> from;
    std::string basis = "recorded_at";
    if (recorded_at) from = parse_rfc3339(*recorded_at);
    if (!from && ingested_at) {
        from = parse_rfc3339(*ingested_at);
        basis = "ingested_at";
    }
    if (!from) return std::nullopt;
    // A recorder clock far behind (or footage docked after its whole
    // retention) must not date the end before the station received the file:
    // then the ingest time counts, and the basis says so.
    if (basis == "recorded_at" && ingested_at)
        if (auto in = parse_rfc3339(*ingested_at); in && *in - *from > duration) {
            from = in;
            basis = "ingested_at";
        }
    return RetainUntil{rfc3339(*from + duration), basis};
}

bool is_working_day(const DescribeDeadline& d, const std::string& date, int wday) {
    const auto listed = [&](const std::vector<std::string>& v) {
        return std::find(v.begin(), v.end(), date) != v.end();
    };
    if (listed(d.make_up_days)) return true;
    if (listed(d.holidays)) return false;
    return std::find(d.week.begin(), d.week.end(), wday) != d.week.end();
}

std::chrono::system_clock::time_point describe_due(const DescribeDeadline& d,
                                                   std::chrono::system_clock::time_point ingested) {
    if (d.working_days <= 0) return ingested + d.after;
    const std::time_t t = std::chrono::system_clock::to_time_t(ingested);
    std::tm day{};
    localtime_r(&t, &day);
    day.tm_hour = 12;  // noon: stepping by days never trips over a DST change
    day.tm_min = day.tm_sec = 0;
    int counted = 0;
    // A year of holidays at most; a calendar without working days ends the search.
    for (int step = 0; step < 400 && counted < d.working_days; ++step) {
        day.tm_mday += 1;
        day.tm_isdst = -1;
        std::mktime(&day);  // normalises the date and sets tm_wday
        char date[16];
        std::strftime(date, sizeof date, "%Y-%m-%d", &day);
        if (is_working_day(d, date, day.tm_wday)) ++counted;
    }
    // The end of that day: local midnight before the next one.
    day.tm_mday += 1;
    day.tm_hour = day.tm_min = day.tm_sec = 0;
    day.tm_isdst = -1;
    return std::chrono::system_clock::from_time_t(std::mktime(&day));
}

}  // namespace dockd::config
