// Hub per-port power (USB 2.0 §11.24.2, USB 3.2 §10.16.2), the way uhubctl
// switches it: hub class requests on the hub the bay's port belongs to.
// Hubs whose descriptor says they cannot switch ports one by one are refused,
// never "switched" in pretence.
#pragma once

#include <libusb-1.0/libusb.h>

#include <optional>
#include <string>

#include "daemon/common/result.hpp"

namespace dockd::drivers::usb {

// The hub and port that feed a bay's USB path: "1-1.4" -> hub "1-1", port 4;
// "1-4" -> root hub "usb1", port 4.
struct HubPort {
    std::string hub_path;
    int port = 0;
};
std::optional<HubPort> hub_port_of(const std::string& usb_path);

// Blocking control transfers (about a millisecond each, 1 s timeout).
// Reads the hub descriptor first and refuses hubs without per-port switching.
Result<void> set_port_power(libusb_context* ctx, const HubPort& hp, bool on);
// wPortStatus PORT_POWER bit as the hub reports it.
Result<bool> port_power(libusb_context* ctx, const HubPort& hp);

}  // namespace dockd::drivers::usb
