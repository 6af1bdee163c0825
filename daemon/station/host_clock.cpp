#include "daemon/station/host_clock.hpp"

#include <sys/timex.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>

namespace dockd::station {
namespace {

// NTPSynchronized of org.freedesktop.timedate1; nullopt when timedated
// cannot be asked (no system bus, not installed, refused).
std::optional<bool> ask_timedated() {
    sd_bus* raw = nullptr;
    if (sd_bus_open_system(&raw) < 0) return std::nullopt;
    std::unique_ptr<sd_bus, sd_bus* (*)(sd_bus*)> bus(raw, sd_bus_flush_close_unref);
    sd_bus_set_method_call_timeout(bus.get(), 2'000'000);  // µs: a stuck bus must not hold the pool
    sd_bus_error error = SD_BUS_ERROR_NULL;
    int value = 0;
    const int r = sd_bus_get_property_trivial(bus.get(), "org.freedesktop.timedate1", "/org/freedesktop/timedate1",
                                              "org.freedesktop.timedate1", "NTPSynchronized", &error, 'b', &value);
    sd_bus_error_free(&error);
    if (r < 0) return std::nullopt;
    return value != 0;
}

int real_adjtimex(int& status, int& err) {
    timex tx{};  // modes 0: read only
    const int rc = ::adjtimex(&tx);
    err = errno;
    status = tx.status;
    return rc;
}

}  // namespace

HostClockState probe_host_clock(const HostClockProbe& probe) {
    if (probe.ask_timedated)
        if (auto synced = ask_timedated()) return {*synced, "timedated NTPSynchronized"};
    if (::access(probe.timesyncd_flag.c_str(), F_OK) == 0) return {true, "timesyncd " + probe.timesyncd_flag.string()};
    int status = 0, err = 0;
    const int rc = probe.adjtimex ? probe.adjtimex(status, err) : real_adjtimex(status, err);
    // ProtectClock=yes (seccomp) refuses adjtimex with EPERM: not proven.
    if (rc < 0) return {false, std::string("adjtimex: ") + std::strerror(err)};
    if (rc == TIME_ERROR || (status & STA_UNSYNC)) return {false, "adjtimex: kernel clock unsynchronised"};
    return {true, "adjtimex"};
}

}  // namespace dockd::station
