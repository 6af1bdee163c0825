// What the USB layer needs to know of the station's configuration, in its
// own terms: which hub port is which bay, which devices a driver family
// claims, how port power is rationed. The station fills these from its
// configuration (daemon/station/driver_options.cpp); drivers know no config.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace dockd::drivers::usb {

struct UsbId {
    std::uint16_t vid = 0, pid = 0;
};

struct BayPort {
    int bay = 0;
    std::string usb_path;  // kernel port path, e.g. "1-1.3"
};

// One driver entry claiming devices by VID:PID, in configuration order (the
// first claim that matches wins). `entry` tells the station's recorder
// factory which of its driver entries this is.
struct UsbClaim {
    std::string family;  // "ums", "sdk": for the journal
    std::vector<UsbId> match;
    std::size_t entry = 0;
};

struct PowerPolicy {
    int max_concurrent_charging = 4;
    std::chrono::milliseconds power_on_stagger{500};
};

}  // namespace dockd::drivers::usb
