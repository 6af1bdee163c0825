// The driver seam (DESIGN §6): one USB device or one simulated bay becomes a
// Recorder. Everything a recorder reports is untrusted input: the daemon
// validates names and values before acting on them.
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

struct Officer {
    std::string no, name, unit_no, unit_name;
};

struct Identity {
    std::string serial, vendor, model, firmware;
    std::optional<Officer> officer;  // when the recorder carries one (sim, sdk ZFY_INFO)
};

struct StorageInfo {
    std::uint64_t total_bytes = 0;
    std::uint64_t free_bytes = 0;
};

struct MediaEntry {
    // Relative to the storage root, '/'-separated, exactly as the device reports
    // it (may hold "..", control bytes or be absurdly long: the caller checks).
    std::string device_path;
    std::uint64_t size_bytes = 0;
    SystemTime modified_at;   // the device's own clock, uncorrected
    bool is_symlink = false;  // reported, never followed
    bool important = false;   // the recorder's "important" mark (seed R8)
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
    virtual Result<int> battery_percent() = 0;
    virtual Result<StorageInfo> storage() = 0;
    virtual Result<SystemTime> read_clock() = 0;
    virtual Result<void> set_clock(SystemTime now) = 0;
    virtual Result<std::vector<MediaEntry>> list_media() = 0;
    // Must refuse to follow symlinks anywhere in the path.
    virtual Result<std::unique_ptr<MediaReader>> open_media(const MediaEntry& entry) = 0;
    virtual Result<void> remove_media(const MediaEntry& entry) = 0;
};

}  // namespace dockd::drivers
