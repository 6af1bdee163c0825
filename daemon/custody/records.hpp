// Plain rows exchanged with the custody store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace dockd::custody {

struct RecorderIdentity {
    std::string serial, vendor, model, firmware;
};

struct OfficerRecord {
    std::string no, name, unit_no, unit_name;
};

struct ClockMeasurement {
    std::string device_time, station_time;  // RFC 3339
    std::int64_t offset_ms = 0;             // device - station
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
};

struct StagedFile {
    std::string docking_id, serial, device_path;
    std::uint64_t size = 0;
    std::int64_t device_mtime_ms = 0;
    std::string sha256, staging_name, object_key;
    std::string recorded_at_device, recorded_at, ingested_at;
    bool important = false;
};

struct FileRecord {
    std::int64_t id = 0;
    std::string docking_id, serial, device_path;
    std::uint64_t size = 0;
    std::int64_t device_mtime_ms = 0;
    std::string state;
    std::optional<std::string> reason, sha256, staging_name, object_key;
    std::optional<std::string> recorded_at_device, recorded_at, ingested_at;
    std::optional<std::string> verified_at, wiped_at, archived_at, purged_at;
    std::string retention = "standard";
    bool important = false;
};

struct UploadJob {
    std::int64_t file_id = 0;
    std::string target;
    int attempts = 0;
    std::string staging_name, object_key, sha256;
    std::uint64_t size = 0;
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
};

}  // namespace dockd::custody
