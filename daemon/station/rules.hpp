// The regulation rules the station watches on its own (issue 14): files not
// described within retention.describe_deadline (seed R9), listed by officer,
// and long-term files short of their copies (R8). Shared by the alerts, the
// metrics, the page and GET /api/v1/undescribed (dockctl undescribed).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "daemon/config/config.hpp"
#include "daemon/custody/store.hpp"

namespace dockd::station {

struct UndescribedEntry {
    custody::UndescribedFile file;
    std::string due;  // RFC 3339: when it should have been described by
};

// Past-due files of one custodian, oldest first.
struct OfficerUndescribed {
    std::string officer_no, officer_name, unit_name;
    std::int64_t count = 0;
    std::string oldest_ingested_at;
    std::vector<UndescribedEntry> files;  // empty from overdue_counts
};

// At most `limit` files are read; officers sorted by number ("" last: no custodian known).
std::vector<OfficerUndescribed> overdue_descriptions(custody::Store& store, const config::RetentionConfig& r,
                                                     std::chrono::system_clock::time_point now, int limit = 10000);

// Counts only, per officer: what the alerts and metrics need, read per
// (officer, local day) so it stays cheap on a store of a million files.
std::vector<OfficerUndescribed> overdue_counts(custody::Store& store, const config::RetentionConfig& r,
                                               std::chrono::system_clock::time_point now);

// "undescribed: ..." per officer, and "long_term_copies: ..." when any file is short.
std::vector<std::string> rule_alerts(const std::vector<OfficerUndescribed>& undescribed, std::int64_t short_of_copies,
                                     int copies);

// The review's "described late" (seed R12): the deadline of each local day
// from `from` (or the first docking) to now, or the fixed delay.
custody::DescribeDue describe_due_table(custody::Store& store, const config::DescribeDeadline& d,
                                        const std::optional<std::string>& from_rfc3339,
                                        std::chrono::system_clock::time_point now);

}  // namespace dockd::station
