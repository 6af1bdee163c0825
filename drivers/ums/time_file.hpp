// The time-file clock convention of mass-storage recorders: the station
// writes the current local time, in the recorder's strftime format, to a file
// at the storage root; the recorder sets its clock from it when unplugged.
// Such recorders cannot report their time: the only evidence is what they
// wrote, so the offset is measured from the newest file's timestamp.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "daemon/common/result.hpp"
#include "drivers/recorder.hpp"

namespace dockd::drivers::ums {

// Local time of the host in the given strftime format, followed by "\n".
Result<std::string> format_time_file(const std::string& format, SystemTime now);

// The recorder clock as far as its files can tell: a newest file dated in
// the future proves the clock at least that far ahead (offset = newest - now);
// a file in the past proves nothing (it may simply be old), so the host time
// is returned (offset 0).
SystemTime estimate_device_clock(const std::vector<MediaEntry>& files, SystemTime host_now);

}  // namespace dockd::drivers::ums
