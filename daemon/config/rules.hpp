// The regulation rules that are pure arithmetic on configuration: how long a
// file is kept (seed R7) and by when it must be described (R9). Shared by the
// manifest, the S3 metadata and Object Lock headers, the alerts and the
// review statistics, so they can never disagree.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "daemon/config/config.hpp"

namespace dockd::config {

// retain_until of a file and what it was counted from (DESIGN §12: the basis
// says which time was used, never a guess presented as a reading).
struct RetainUntil {
    std::string at;     // RFC 3339 UTC
    std::string basis;  // "recorded_at" | "ingested_at"
};

// class_name: the file's bureau class when it has one, else its retention
// (standard | long_term); an unconfigured class falls back to long_term (a
// class removed from the config never shortens what was promised). From
// recorded_at when the recorder gave one, else ingested_at, and ingested_at as
// well when recorded_at + duration would fall before it; nullopt when
// neither parses.
std::optional<RetainUntil> retain_until(const RetentionConfig& r, const std::string& class_name,
                                        const std::optional<std::string>& recorded_at,
                                        const std::optional<std::string>& ingested_at);

// The moment a file ingested at `ingested` must have been described by:
// the end (local midnight) of the Nth working day after the local day of
// ingest, or ingested + `after` for a plain duration.
std::chrono::system_clock::time_point describe_due(const DescribeDeadline& d,
                                                   std::chrono::system_clock::time_point ingested);

// True when the local calendar day "YYYY-MM-DD" at weekday wday (0 = Sunday) is a working day.
bool is_working_day(const DescribeDeadline& d, const std::string& date, int wday);

}  // namespace dockd::config
