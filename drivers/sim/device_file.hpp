// device.json of a simulated recorder (DESIGN §6 "Simulated recorders"):
// identity and behaviour, parsed into a typed struct. Errors name the line
// and the field: "line 4: expected number for battery_percent".
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/common/result.hpp"
#include "drivers/recorder.hpp"

namespace dockd::drivers::sim {

struct IoErrorFault {
    std::string path;  // relative to media/
    std::uint64_t offset = 0;
};

struct DeviceFaults {
    std::vector<IoErrorFault> io_error;
    std::optional<std::uint64_t> stall_after_bytes;
    bool clock_set_fails = false;
};

// A field given as null is a fact the recorder cannot report (DESIGN §12);
// a missing field takes its default.
struct DeviceFile {
    Identity identity;                         // vendor "Sim", model "S1", firmware "1.0" unless given
    std::optional<int> battery_percent = 100;  // null: cannot report its battery
    double charge_percent_per_min = 0;
    double clock_offset_s = 0;
    bool clock_readable = true;                                      // false: the clock can be set but not read
    std::optional<std::uint64_t> storage_total_bytes = 64ULL << 30;  // null: cannot report storage
    std::uint64_t read_bytes_per_s = 0;                              // 0 = unthrottled
    DeviceFaults faults;
    std::set<std::string> important;  // media paths marked important (seed R8)
};

// Parses the text of device.json; errors read "line N: ...".
Result<DeviceFile> parse_device_file(std::string_view text);

// Reads and parses DIR/N/device.json; errors read "device.json: line N: ...".
Result<DeviceFile> load_device_file(const std::filesystem::path& bay_dir);

// Rewrites device.json with clock_offset_s = 0, keeping every other field,
// via temp file + fsync + rename so it is never half-written.
Result<void> reset_clock_offset(const std::filesystem::path& bay_dir);

}  // namespace dockd::drivers::sim
