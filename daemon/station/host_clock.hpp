// Is the station's own clock synchronised? Device clock offsets are only as
// good as this reference (DESIGN §3), so it is true only when proven
// (DESIGN §12): by timedated's NTPSynchronized, by timesyncd's flag file, or
// by adjtimex without STA_UNSYNC. Any error reading it means "not proven".
#pragma once

#include <filesystem>
#include <functional>
#include <string>

namespace dockd::station {

struct HostClockState {
    bool synced = false;
    std::string source;  // what proved it, or why it is not known
};

struct HostClockProbe {
    // systemd-timedated over the system bus; false skips it (tests).
    bool ask_timedated = true;
    std::filesystem::path timesyncd_flag = "/run/systemd/timesync/synchronized";
    // adjtimex(2) in read-only mode: returns the clock state or -1 with errno.
    std::function<int(int& status, int& err)> adjtimex;  // empty: the real one
};

// Blocking (a D-Bus call of at most 2 s): call it from the pool.
HostClockState probe_host_clock(const HostClockProbe& probe = {});

}  // namespace dockd::station
