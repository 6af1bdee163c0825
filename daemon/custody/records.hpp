// Plain rows exchanged with the custody store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "daemon/custody/file_state.hpp"
#include "daemon/custody/media_facts.hpp"

namespace dockd::custody {

struct RecorderIdentity {
    std::string serial, vendor, model;
    std::optional<std::string> firmware;  // nullopt: the recorder does not report one
};

struct OfficerRecord {
    std::string no, name, unit_no, unit_name;
};

// A docked recorder's clock against the station's (DESIGN §12): only what was
// read. An offset is applied to recorded_at only when measured and plausible.
struct ClockMeasurement {
    std::optional<std::string> device_time;  // RFC 3339 as read; nullopt: unreadable or beyond 0001..9999
    std::string station_time;                // RFC 3339
    std::optional<std::int64_t> offset_ms;   // device - station; nullopt: not measured
    bool plausible = false;                  // within 2000..2099 and clock.max_plausible_offset
    bool host_synced = false;                // the station's own clock was proven synchronised
};

// Battery, storage and firmware as read at check time; nullopt: not reported.
struct HealthReading {
    std::optional<int> battery_percent;
    std::optional<std::uint64_t> storage_total, storage_free;
};

// How setting a device clock ended (dockings.clock_set).
enum class ClockSet {
    confirmed,    // set and read back within clock.max_drift
    unconfirmed,  // set; the recorder cannot be read back (time file, unreadable clock)
    failed,       // the recorder refused, or read back off
    withheld,     // not set: the host clock is not synchronised (clock.require_synced_host_clock)
};
const char* to_string(ClockSet s);

// The custodian of a new docking (seed R1): the officer assigned at the
// station wins over the one the recorder reports, and both are kept.
struct OpenedDocking {
    std::string id;
    std::optional<std::string> officer_no;         // the custodian
    std::optional<std::string> device_officer_no;  // as the recorder reported it
    bool assignment_disagrees = false;             // both known and different
};

struct DockingRecord {
    std::string id;
    int bay = 0;
    std::string serial;
    std::optional<std::string> officer_no;
    std::string docked_at;
    std::optional<std::string> undocked_at, close_reason, offload_done_at;
    std::optional<std::int64_t> battery_in, battery_out, clock_offset_ms;
    std::optional<std::string> device_time, station_time, fault;
    std::optional<std::string> firmware, device_officer_no, clock_set, ready_rule;
    std::optional<std::int64_t> storage_total, storage_free;
    std::optional<bool> clock_measured, clock_plausible, host_synced;  // nullopt: not checked yet
};

struct StagedFile {
    std::string docking_id, serial, device_path;
    std::uint64_t size = 0;
    std::int64_t device_mtime_ms = 0;
    std::string sha256, staging_name, object_key;
    std::optional<std::string> recorded_at_device, recorded_at;  // nullopt: beyond 0001..9999
    std::string ingested_at;
    bool important = false;
};

struct FileRecord {
    std::int64_t id = 0;
    std::string docking_id, serial, device_path;
    std::uint64_t size = 0;
    std::int64_t device_mtime_ms = 0;
    FileState state = FileState::staged;
    std::optional<std::string> reason, sha256, staging_name, object_key;
    std::optional<std::string> recorded_at_device, recorded_at, ingested_at;
    std::optional<std::string> verified_at, wiped_at, archived_at, purged_at;
    std::string retention = "standard";
    bool important = false;
    // A bureau class (retention.classes) chosen by a retain; nullopt: the
    // class is `retention` itself.
    std::optional<std::string> retain_class;
    // First case number or category (its own or its docking's); nullopt: undescribed.
    std::optional<std::string> described_at;
    const std::string& class_name() const { return retain_class ? *retain_class : retention; }
    std::optional<media::MediaFacts> media;  // nullopt: not probed (yet, or probing is off)
};

// A committed file whose staged copy awaits the media probe.
struct ProbeDue {
    std::int64_t id = 0;
    std::string serial, device_path, staging_name;
};

struct TruncatedRecording {
    std::string docking_id, serial, device_path, docked_at;
    std::optional<std::int64_t> battery_in;  // at docking; nullopt: not reported
};

struct UploadJob {
    std::int64_t file_id = 0;
    std::int64_t publication_id = 0;  // set instead of file_id for a segment, amendment or key
    std::string target;
    int attempts = 0;
    std::string staging_name, object_key, sha256;
    std::uint64_t size = 0;
};

// One upload queue row as dockctl queue and /api/v1/uploads show it (issue 4).
struct UploadRow {
    std::int64_t file_id = 0;
    std::string target;  // target URL as configured
    std::string state;   // pending | done
    int attempts = 0;
    std::int64_t next_attempt_ms = 0;         // unix ms; 0 = as soon as possible
    std::optional<std::string> last_error;    // secrets already redacted
    std::optional<std::string> reason_class;  // transient | credentials | no_bucket | conflict
    std::string object_key;
    std::uint64_t size = 0;
    int parts_done = 0;  // multipart parts committed so far
};

struct MultipartPart {
    int number = 0;
    std::uint64_t size = 0;
    std::string etag, md5_base64;
};

struct QueueSummary {
    std::int64_t pending = 0, failing = 0, done = 0;
    std::int64_t files_unarchived = 0;
    std::optional<std::int64_t> oldest_unarchived_age_ms;
    std::optional<std::string> last_error;
};

struct ManifestDoc {
    std::string docking_id, object_key, content, signature_hex;
};

struct LedgerRow {
    std::string docking_id;
    int bay = 0;
    std::string serial, vendor, model;
    std::string officer_no, officer_name, unit_name;
    std::string docked_at;
    std::optional<std::string> undocked_at;
    std::int64_t files = 0, bytes = 0, refused = 0;
    std::optional<std::int64_t> battery_in, battery_out, clock_offset_ms;
    std::optional<std::string> close_reason;
    // Span of the recording times of the docking's files (first to last
    // recorded_at): what the store knows of "duration recorded" without
    // parsing media containers.
    std::optional<std::string> recorded_from, recorded_to;
    // issue 14 (DESIGN §13): the sum of the probed durations of the docking's
    // files, nullopt when none has one; recordings that ended abnormally.
    std::optional<std::int64_t> recorded_duration_ms;
    std::int64_t truncated_files = 0;
    // "docking", or "assignment": a recorder bound to an officer (seed R1);
    // then docking_id is empty, bay 0, docked_at the assignment time, and
    // previous_officer_no / assigned_by say from whom and by whom.
    std::string kind = "docking";
    std::optional<std::string> previous_officer_no, assigned_by;
};

// --- people-facing (issue 5) ---

// One row of the access register (查阅登记簿, seed R6).
struct AccessEntry {
    std::int64_t id = 0;
    std::string at, who, role, remote, what;
    std::optional<std::string> approval_ref;
};

// Case number, category and note attached to a file or a whole docking (seed R9).
struct Annotation {
    std::int64_t id = 0;
    std::optional<std::int64_t> file_id;
    std::optional<std::string> docking_id;
    std::string case_no, category, note, by, at;
    std::string place;  // where it was recorded (seed R9: place, content, case)
};

// A docking as the people-facing lists show it.
struct DockingListRow {
    DockingRecord docking;
    std::string officer_name;
    std::int64_t files = 0, bytes = 0;
};

// Totals for /metrics, read in one pass.
struct StoreTotals {
    std::int64_t files_ingested = 0, bytes_ingested = 0;
    std::int64_t files_uploaded = 0, bytes_uploaded = 0;  // (file, target) rows confirmed
    std::int64_t audit_length = 0;
    // (reason_class, last_error) of every upload row whose last attempt failed
    std::vector<std::pair<std::string, std::string>> failing;
};

// --- regulation rules (issue 14) ---

// A file with neither case number nor category (seed R9), as listed by officer.
struct UndescribedFile {
    std::int64_t file_id = 0;
    std::string docking_id, serial, device_path, ingested_at;
    std::string officer_no, officer_name, unit_name;  // "" when unknown
};

// Undescribed files of one officer ingested on one local day (the deadline
// depends on nothing else), for the alerts: one row per (officer, day).
struct UndescribedCount {
    std::string officer_no, officer_name, unit_name, day;  // day: local YYYY-MM-DD of ingest
    std::int64_t files = 0;
    std::string oldest_ingested_at;
};

// One group of the annual review (seed R12, DESIGN §13 stats).
struct StatsRow {
    std::string group;
    std::int64_t dockings = 0, files = 0, bytes = 0, late_dockings = 0, described_late = 0;
    std::optional<double> duration_s;             // null: no probed duration in the store
    std::optional<std::int64_t> truncated_files;  // null: no media probe in the store
};

// How the review counts "described late": the deadline of each local day of
// ingest (working-day rule), or a fixed delay after ingest.
struct DescribeDue {
    std::vector<std::pair<std::string, std::string>> by_day;  // local YYYY-MM-DD -> due (RFC 3339)
    std::optional<std::int64_t> after_s;                      // set: due = ingested_at + after_s
};

// A recorder not docked again within the overdue window after its last undock.
struct OverdueRecorder {
    std::string serial, officer_no, last_undocked_at;
};

}  // namespace dockd::custody
