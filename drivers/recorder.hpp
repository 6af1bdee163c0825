// The driver seam (DESIGN §6): one USB device or one simulated bay becomes a
// Recorder. Everything a recorder reports is untrusted input: the daemon
// validates names and values before acting on them. A fact the recorder
// cannot report is std::nullopt, never a default or an estimate (DESIGN §12).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "daemon/common/result.hpp"

namespace dockd::drivers {

using SystemTime = std::chrono::system_clock::time_point;
// A time as a device reports it. Milliseconds since the Unix epoch in 64 bits
// hold any date a device can show (a nanosecond time_point overflows outside
// 1677..2262, and a recorder's clock can read anything).
using DeviceTime = std::chrono::sys_time<std::chrono::milliseconds>;

struct Officer {
    std::string no, name, unit_no, unit_name;
};

struct Identity {
    std::string serial, vendor, model;
    std::optional<std::string> firmware;  // nullopt: the recorder does not report one
    std::optional<Officer> officer;       // when the recorder carries one (sim, sdk ZFY_INFO)
};

struct StorageInfo {
    std::optional<std::uint64_t> total_bytes, free_bytes;
};

// What a listed name is. Only `file` entries are copied; every other kind is
// accounted for by the caller with a row and a reason (issue 9: every entry).
enum class EntryKind {
    file,       // regular file
    symlink,    // reported, never followed
    directory,  // walked into; reported too, so one named like media is accounted for
    special,    // FIFO, socket, character or block device
    branch,     // a directory that was not walked (too deep, too many entries, unreadable)
};

struct MediaEntry {
    // Relative to the storage root, '/'-separated, exactly as the device reports
    // it (may hold "..", control bytes or be absurdly long: the caller checks).
    std::string device_path;
    std::uint64_t size_bytes = 0;
    DeviceTime modified_at{};  // the device's own clock, uncorrected
    EntryKind kind = EntryKind::file;
    std::string problem;     // why a special entry or branch was not listed further
    bool important = false;  // the recorder's "important" mark (seed R8)
};

// Sequential reader over one media file; fixed caller-owned buffers.
class MediaReader {
public:
    virtual ~MediaReader() = default;
    // Fills up to buf.size() bytes; 0 means end of file. An error carries the
    // cause only ("Input/output error"); the caller adds file and offset.
    virtual Result<std::size_t> read(std::span<std::byte> buf) = 0;
};

class Recorder {
public:
    virtual ~Recorder() = default;

    virtual Result<Identity> identify() = 0;
    // nullopt: this recorder cannot report its battery (mass storage).
    virtual Result<std::optional<int>> battery_percent() = 0;
    virtual Result<StorageInfo> storage() = 0;
    // nullopt: this recorder's clock cannot be read (it may still be set).
    virtual Result<std::optional<DeviceTime>> read_clock() = 0;
    virtual Result<void> set_clock(SystemTime now) = 0;
    // True when set_clock must run before the first storage access (a vendor
    // library that can set the clock only before switching to mass storage).
    virtual bool clock_set_before_media() const { return false; }
    // Writes the officer the station assigned to the recorder's own record.
    // false: this recorder keeps no officer record the station can write.
    virtual Result<bool> write_officer(const Officer&) { return false; }
    virtual Result<std::vector<MediaEntry>> list_media() = 0;
    // Must refuse to follow symlinks anywhere in the path.
    virtual Result<std::unique_ptr<MediaReader>> open_media(const MediaEntry& entry) = 0;
    virtual Result<void> remove_media(const MediaEntry& entry) = 0;
};

}  // namespace dockd::drivers
