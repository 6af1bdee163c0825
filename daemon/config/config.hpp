// Typed configuration of dockd, parsed and validated at the edge (STYLE 8):
// the rest of the daemon sees only these structs, never YAML. Every problem in
// a config file is reported as "FILE:LINE: what is wrong", all at once.
// The documented reference of every key is config/dockd.yaml.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dockd::config {

using Millis = std::chrono::milliseconds;

struct StationConfig {
    std::string id;  // [A-Za-z0-9._-]+, a path component in the archive
    std::string name;
    std::filesystem::path data_dir = "/var/lib/dockd";
    std::filesystem::path staging_dir;                    // default data_dir/"staging"
    std::filesystem::path media_dir = "/run/dockd/bays";  // mass-storage mounts: <media_dir>/<bay>/media
};

// Bay id <-> physical USB port ("1-1.4" as in /sys/bus/usb/devices).
struct PortConfig {
    int id = 0;
    std::string usb_path;
    int line = 0;  // where it was declared, for later diagnostics
};

struct UsbMatch {
    std::uint16_t vid = 0, pid = 0;
};

enum class DriverType { ums, sdk, sim };
enum class ZfyLayout { packed89, nul94 };

struct DriverConfig {
    DriverType type = DriverType::ums;
    std::vector<UsbMatch> match;
    std::filesystem::path bays_dir;  // sim (required for sim)
    // ums (and sdk after SetMSDC): clock file on the recorder's own storage,
    // relative to its root, so it is a device path and never resolved here.
    std::string time_file = "time.txt";
    std::string time_format = "%Y-%m-%d %H:%M:%S";
    std::filesystem::path library;  // sdk (required for sdk)
    ZfyLayout zfy_layout = ZfyLayout::packed89;
    std::filesystem::path password_file;  // sdk, secret (0600)
    Millis call_timeout{5000};            // sdk
    // sdk: write the officer assigned at the station into the recorder's own
    // record (WriteZFYInfo) when it reports another one.
    bool write_officer = true;
    int line = 0;
};

struct ChargeConfig {
    int ready_percent = 90;
    int max_concurrent_charging = 4;
    Millis power_on_stagger{500};
    int power_cycle_after_failed_commands = 3;  // 0 = never power-cycle on its own
    // A recorder that cannot report its battery counts as charged only after
    // this long on power (DESIGN §12: never an estimated level).
    Millis unknown_battery_hold{std::chrono::hours(3)};
    // A copy that moves no byte this long gets the bay's port power-cycled,
    // once per docking (only on switchable hub ports).
    Millis stall_power_cycle_after{std::chrono::seconds(60)};
};

struct ClockConfig {
    Millis max_drift{2000};
    bool set_device_clock = true;
    bool require_synced_host_clock = false;
    // A device clock off by more than this (or outside 2000..2099) is recorded
    // as read and flagged, never used to correct times.
    Millis max_plausible_offset{std::chrono::hours(24 * 366)};
};

// Firmware a model must run to be "ready": a minimum version, or a list.
struct FirmwareRule {
    std::string model;
    std::optional<std::string> min_version;
    std::vector<std::string> allowed;  // empty: any version >= min_version
    int line = 0;
};

// What "ready" requires beyond charge and clock (seed R2).
struct ChecksConfig {
    std::uint64_t min_free_storage = 1ull << 30;  // on the recorder, after the wipe policy
    std::vector<FirmwareRule> firmware;           // models not listed: any firmware
};

enum class Verify { reread, none };
enum class WipeAfter { never, staged, archived };

struct IngestConfig {
    Verify verify = Verify::reread;
    WipeAfter wipe_after = WipeAfter::never;
    std::uint64_t min_free_bytes = 1ull << 30;
    // Lower case, without the dot.
    std::vector<std::string> extensions{"mp4", "mov", "avi", "jpg", "jpeg", "wav", "mp3", "aac", "png", "264", "h264"};
    std::uint64_t buffer_bytes = 1u << 20;
    int workers = 4;
};

enum class TargetKind { file, s3 };

struct TargetConfig {
    std::string url;  // as written: file:///abs/path or s3://bucket[/prefix]
    std::string endpoint;
    std::string region = "us-east-1";
    std::filesystem::path credentials_file;  // secret (0600), AWS shared-credentials format
    std::filesystem::path ca_file;
    bool path_style = true;
    // S3 Object Lock (seed R7): every media object is sent with COMPLIANCE
    // mode until its retain_until, so not even the bucket owner can delete it
    // earlier. The bucket must have Object Lock enabled.
    bool object_lock = false;
    int line = 0;
    // Decoded from url.
    TargetKind kind = TargetKind::file;
    std::filesystem::path file_root;  // file: the archive directory
    std::string bucket;               // s3
    std::string prefix;               // s3: without leading or trailing '/', may be empty
};

struct RetryConfig {
    Millis initial{5000};
    Millis max{std::chrono::hours(1)};
};

// Minutes after local midnight, start inclusive, end exclusive;
// end < start spans midnight; end may be 1440 ("24:00").
struct TimeWindow {
    int start_minute = 0;
    int end_minute = 0;
};

struct UploadConfig {
    std::vector<TargetConfig> targets;
    std::uint64_t part_size = 64ull << 20;
    int concurrency = 2;
    std::uint64_t bandwidth_limit_bytes_per_s = 0;  // 0 = unlimited
    std::vector<TimeWindow> windows;                // empty = always
    RetryConfig retry;
    // The audit chain is published in segments after each docking's manifest
    // and whenever a row has waited this long (DESIGN §11: at least hourly).
    Millis segment_interval{std::chrono::hours(1)};
};

// How long a file must be kept (seed R7), by class: standard, long_term, and
// any class the bureau names (e.g. evidence: 3650d). A file's retain_until is
// its recorded time (or, when the recorder gave none, its ingest time, flagged
// as such) plus its class's duration.
struct RetentionClass {
    std::string name;
    Millis duration{0};
};

// The description deadline (seed R9: name and describe within 2 working days).
// Either a number of working days (the deadline is the end of the Nth working
// day after the day of ingest, local time) or a plain duration after ingest.
struct DescribeDeadline {
    int working_days = 2;                   // 0: use `after`
    Millis after{0};                        // used when working_days is 0
    std::vector<int> week{1, 2, 3, 4, 5};   // working days of the week, 0 = Sunday .. 6 = Saturday
    std::vector<std::string> holidays;      // YYYY-MM-DD, not working even on a working weekday
    std::vector<std::string> make_up_days;  // YYYY-MM-DD, working although on a weekend (调休)
};

struct RetentionConfig {
    bool purge_staging_after_archive = true;
    Millis upload_deadline{std::chrono::hours(24)};
    // standard and long_term always present (defaults 90d and 730d).
    std::vector<RetentionClass> classes{{"standard", std::chrono::hours(24 * 90)},
                                        {"long_term", std::chrono::hours(24 * 730)}};
    // Seed R8: long-term footage in two copies. --check-config refuses a
    // station with targets but fewer than this many.
    int long_term_copies = 2;
    int long_term_copies_line = 0;  // where it was set (0: default), for the check against upload.targets
    DescribeDeadline describe;
    // The duration of a class; nullopt when the class is not configured.
    std::optional<Millis> duration_of(std::string_view name) const {
        for (const auto& c : classes)
            if (c.name == name) return c.duration;
        return std::nullopt;
    }
};

// The media probe (issue 14, DESIGN §13): dockd-media-probe on each staged copy.
struct MediaConfig {
    bool probe = true;
    Millis probe_timeout{30000};              // wall clock per file, then the helper is killed
    std::uint64_t probe_memory = 1ull << 30;  // address space of the helper
    std::filesystem::path probe_helper;       // empty: beside dockd, else /usr/libexec/dockd
};

struct ApiConfig {
    std::string listen = "127.0.0.1:8470";
    std::filesystem::path tokens_file;  // secret (0600)
    // Seed R6: no look-up without approval. Footage metadata reads and exports
    // without an X-Approval-Ref header answer 403 approval_required, and the
    // refusal is itself written to the access register.
    bool require_approval_ref = false;
    // Decoded from listen; host without IPv6 brackets.
    std::string listen_host = "127.0.0.1";
    std::uint16_t listen_port = 8470;
};

struct Config {
    std::filesystem::path source;  // absolute path of the file it came from
    StationConfig station;
    std::vector<PortConfig> ports;
    std::vector<DriverConfig> drivers;
    ChargeConfig charge;
    ClockConfig clock;
    ChecksConfig checks;
    IngestConfig ingest;
    UploadConfig upload;
    RetentionConfig retention;
    MediaConfig media;
    ApiConfig api;
    // Where each key was written ("api.listen" -> 42, "ports[1]" -> its item),
    // for problems found after loading (a reload refusing a restart-only key).
    std::map<std::string, int> lines;
    // The key's line, else its nearest enclosing section's, else 1.
    int line_of(std::string key) const {
        for (;;) {
            if (auto it = lines.find(key); it != lines.end()) return it->second;
            const auto dot = key.find_last_of(".[");
            if (dot == std::string::npos || dot == 0) return 1;
            key.resize(dot);
        }
    }
};

struct ConfigError {
    std::string file;
    int line = 0;  // 1-based; 0 when the file itself is the problem
    std::string message;
    std::string str() const;  // "FILE:LINE: message"
};

struct LoadResult {
    std::optional<Config> config;     // set only when errors is empty
    std::vector<ConfigError> errors;  // sorted by line
};

// The configuration is one YAML document, UTF-8, in a regular file of at most
// this size (a reference config is ~15 KiB).
inline constexpr std::size_t max_config_bytes = 1 << 20;

// Reads and validates the file; a file that cannot be read, is not a regular
// file or is too large gives one error at line 0 ("FILE:0: cannot read: ...").
LoadResult load_config(const std::filesystem::path& file);

// Validates yaml_text as if read from file: errors name it and relative paths
// resolve against its directory (the working directory if it has none).
LoadResult parse_config(const std::string& yaml_text, const std::filesystem::path& file);

// "16MiB", "4 MiB", "500KB", "123" (bytes). Units B, KB, MB, GB, TB (powers of
// 1000) and KiB, MiB, GiB, TiB (powers of 1024), case-sensitive, optional
// blanks before the unit; whole numbers only; nullopt on overflow.
std::optional<std::uint64_t> parse_size(std::string_view text);

// "500ms", "90s", "15m", "24h", "2d", or a sum such as "1h30m". A bare number
// is rejected: its unit would be a guess.
std::optional<Millis> parse_duration(std::string_view text);

// "22:00-06:00" (H:MM or HH:MM; end may be 24:00). Equal start and end is
// rejected as ambiguous (empty or whole day?): write 00:00-24:00.
std::optional<TimeWindow> parse_window(std::string_view text);

// Decodes t.url (file:///abs, file:relative against base_dir, s3://bucket/prefix)
// into kind, file_root, bucket and prefix; returns the problem, or "" if none.
// Shared with dockd-verify, whose TARGETs are written the same way.
std::string parse_target_url(TargetConfig& t, const std::filesystem::path& base_dir);

// True when minute_of_day (0..1439) falls in any window; an empty list is always open.
bool window_contains(const std::vector<TimeWindow>& windows, int minute_of_day);

const char* to_string(DriverType type);
const char* to_string(ZfyLayout layout);
const char* to_string(Verify verify);
const char* to_string(WipeAfter wipe_after);
const char* to_string(TargetKind kind);

}  // namespace dockd::config
