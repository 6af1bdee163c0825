#include "daemon/station/rules.hpp"

#include <algorithm>
#include <ctime>
#include <map>

#include "daemon/common/time.hpp"
#include "daemon/config/rules.hpp"

namespace dockd::station {
namespace {

using config::describe_due;

// No deadline ends sooner than N whole days (working days) or `after`: only
// files older than that are read at all.
std::chrono::system_clock::duration earliest_due(const config::DescribeDeadline& d) {
    if (d.working_days > 0) return std::chrono::hours(24) * d.working_days;
    return d.after;
}

// Noon of a local "YYYY-MM-DD": any time of the day gives the same deadline.
std::chrono::system_clock::time_point local_noon(const std::string& day) {
    std::tm t{};
    if (!strptime(day.c_str(), "%Y-%m-%d", &t)) return std::chrono::system_clock::now();
    t.tm_hour = 12, t.tm_isdst = -1;
    return std::chrono::system_clock::from_time_t(std::mktime(&t));
}

// Officers by number; the files of no known custodian last.
std::vector<OfficerUndescribed> sorted(std::map<std::string, OfficerUndescribed> by_officer) {
    std::vector<OfficerUndescribed> out;
    for (auto& [no, o] : by_officer)
        if (!no.empty()) out.push_back(std::move(o));
    if (auto it = by_officer.find(""); it != by_officer.end()) out.push_back(std::move(it->second));
    return out;
}

}  // namespace

std::vector<OfficerUndescribed> overdue_descriptions(custody::Store& store, const config::RetentionConfig& r,
                                                     std::chrono::system_clock::time_point now, int limit) {
    std::map<std::string, OfficerUndescribed> by_officer;
    for (auto& f : store.undescribed(rfc3339(now - earliest_due(r.describe)), limit)) {
        const auto ingested = parse_rfc3339(f.ingested_at);
        if (!ingested) continue;
        const auto due = describe_due(r.describe, *ingested);
        if (due > now) continue;
        auto& o = by_officer[f.officer_no];
        o.officer_no = f.officer_no, o.officer_name = f.officer_name, o.unit_name = f.unit_name;
        if (o.files.empty()) o.oldest_ingested_at = f.ingested_at;
        ++o.count;
        o.files.push_back({std::move(f), rfc3339(due)});
    }
    return sorted(std::move(by_officer));
}

std::vector<OfficerUndescribed> overdue_counts(custody::Store& store, const config::RetentionConfig& r,
                                               std::chrono::system_clock::time_point now) {
    std::map<std::string, OfficerUndescribed> by_officer;
    for (const auto& c : store.undescribed_counts(rfc3339(now - earliest_due(r.describe)))) {
        // Working days: the deadline depends only on the local day of ingest.
        // A plain delay: the cutoff above was exact already.
        if (r.describe.working_days > 0 && describe_due(r.describe, local_noon(c.day)) > now) continue;
        auto& o = by_officer[c.officer_no];
        o.officer_no = c.officer_no, o.officer_name = c.officer_name, o.unit_name = c.unit_name;
        if (o.count == 0) o.oldest_ingested_at = c.oldest_ingested_at;
        o.count += c.files;
    }
    return sorted(std::move(by_officer));
}

std::vector<std::string> rule_alerts(const std::vector<OfficerUndescribed>& undescribed, std::int64_t short_of_copies,
                                     int copies) {
    std::vector<std::string> out;
    for (const auto& o : undescribed) {
        const std::string who = o.officer_no.empty() ? "no known officer"
                                                     : "officer " + o.officer_no +
                                                           (o.officer_name.empty() ? "" : " (" + o.officer_name + ")");
        out.push_back("undescribed: " + who + ": " + std::to_string(o.count) +
                      " file(s) without case number or category past the description deadline, the oldest ingested " +
                      o.oldest_ingested_at);
    }
    if (short_of_copies > 0)
        out.push_back("long_term_copies: " + std::to_string(short_of_copies) +
                      " long-term file(s) confirmed by fewer than " + std::to_string(copies) +
                      " targets past the upload deadline");
    return out;
}

custody::DescribeDue describe_due_table(custody::Store& store, const config::DescribeDeadline& d,
                                        const std::optional<std::string>& from_rfc3339,
                                        std::chrono::system_clock::time_point now) {
    custody::DescribeDue due;
    if (d.working_days <= 0) {
        due.after_s = std::chrono::duration_cast<std::chrono::seconds>(d.after).count();
        return due;
    }
    const auto from_text = from_rfc3339 ? from_rfc3339 : store.first_docked_at();
    const auto parsed = from_text ? parse_rfc3339(*from_text) : std::nullopt;
    if (!parsed) return due;
    // Local noon: steps of 24 h then meet every local day once, DST or not.
    const std::time_t start_t = std::chrono::system_clock::to_time_t(parsed.value());
    std::tm noon{};
    localtime_r(&start_t, &noon);
    noon.tm_hour = 12, noon.tm_min = noon.tm_sec = 0, noon.tm_isdst = -1;
    const auto start = std::chrono::system_clock::from_time_t(std::mktime(&noon));
    // One row per local day: from a day before the range (time zones) to a day
    // after now (files ingested later than `to` belong to dockings inside it).
    constexpr auto day = std::chrono::hours(24);
    for (auto t = start - day; t <= now + day && due.by_day.size() < 20000; t += day) {
        const std::time_t tt = std::chrono::system_clock::to_time_t(t);
        std::tm local{};
        localtime_r(&tt, &local);
        char date[16];
        std::strftime(date, sizeof date, "%Y-%m-%d", &local);
        if (!due.by_day.empty() && due.by_day.back().first == date) continue;
        due.by_day.emplace_back(date, rfc3339(describe_due(d, t)));
    }
    return due;
}

}  // namespace dockd::station
