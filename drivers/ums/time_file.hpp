// The time-file clock convention of mass-storage recorders: the station
// writes the current local time, in the recorder's strftime format, to a file
// at the storage root; the recorder sets its clock from it when unplugged.
// Such recorders cannot report their time at all: their clock offset is
// unknown (DESIGN §12), never guessed from file times.
#pragma once

#include <chrono>
#include <string>

#include "daemon/common/result.hpp"
#include "drivers/recorder.hpp"

namespace dockd::drivers::ums {

// Local time of the host in the given strftime format, followed by "\n".
Result<std::string> format_time_file(const std::string& format, SystemTime now);

}  // namespace dockd::drivers::ums
