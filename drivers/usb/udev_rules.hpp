// The udev rules that hand exactly this station's recorders and bay hubs to
// the service group, derived from the configuration so the two never drift.
#pragma once

#include <string>

#include "daemon/config/config.hpp"

namespace dockd::drivers::usb {

// Rules text for /etc/udev/rules.d/60-dockd.rules: one device rule and one
// block rule per drivers[].match {vid, pid}; one rule per hub feeding a
// ports[].usb_path ("1-1.4" -> hub "1-1"; "1-4" -> root hub "usb1").
std::string udev_rules(const config::Config& cfg, const std::string& group = "dockd");

}  // namespace dockd::drivers::usb
