// What "ready" means (DESIGN §3, seed R2), as pure functions of what was
// read: each gate is met or names why not. And the clock rules of DESIGN §12:
// a device clock is measured or not, plausible or not, and only a measured,
// plausible offset ever corrects a recording time.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/common/time.hpp"
#include "daemon/config/config.hpp"
#include "daemon/custody/records.hpp"

namespace dockd::bay {

struct Gate {
    std::string name;  // charge | clock | storage | firmware
    bool met = false;
    std::string detail;  // what was read, or why the gate is not met
};

// A known battery at or above ready_percent; an unknown one only after
// unknown_battery_hold on power (never an estimated level).
Gate charge_gate(std::optional<int> battery_percent, std::chrono::milliseconds on_power, const config::ChargeConfig& c);
// Free storage after the wipe policy ran; unknown is not enough.
Gate storage_gate(std::optional<std::uint64_t> free_bytes, std::uint64_t min_free_bytes);
// checks.firmware: the model's rule, if any; an unknown version fails a rule.
Gate firmware_gate(const config::ChecksConfig& checks, const std::string& model,
                   const std::optional<std::string>& firmware);

// <0, 0, >0 as a is older, equal, newer: dot-separated parts, numeric parts
// compared as numbers ("1.10" > "1.9"), others as text.
int compare_versions(std::string_view a, std::string_view b);

// Years 2000..2099: a recorder clock outside them has not been set, or lies.
bool plausible_time(MillisTime t);

// The clock measurement of one docking. device: the recorder's reading
// (nullopt: unreadable); station: the host's time at that moment.
custody::ClockMeasurement measure_clock(std::optional<MillisTime> device, MillisTime station,
                                        std::chrono::milliseconds max_plausible_offset, bool host_synced);
// The offset that corrects recorded_at: only a measured, plausible one.
std::optional<std::int64_t> applied_offset(const custody::ClockMeasurement& m);
// A file's recording time corrected by the applied offset (unchanged without
// one); nullopt when the subtraction does not fit in 64 bits.
std::optional<MillisTime> corrected_time(MillisTime device_time, std::optional<std::int64_t> offset_ms);
// The day an object is filed under: its recording time when plausible, else
// the time it was ingested (an implausible clock never names a path).
MillisTime filing_time(std::optional<MillisTime> recorded_at, MillisTime ingested_at);

}  // namespace dockd::bay
