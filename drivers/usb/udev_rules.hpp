// The udev rules that hand exactly this station's recorders and bay hubs to
// the service group, derived from the configuration so the two never drift.
#pragma once

#include <string>
#include <vector>

#include "drivers/usb/usb_options.hpp"

namespace dockd::drivers::usb {

// Rules text for /etc/udev/rules.d/60-dockd.rules: one device rule and one
// block rule per recorder id (drivers[].match {vid, pid}); one rule per hub
// feeding a bay port ("1-1.4" -> hub "1-1"; "1-4" -> root hub "usb1").
// source: the configuration file named in the header comment.
std::string udev_rules(const std::string& source, const std::vector<UsbId>& recorders,
                       const std::vector<BayPort>& ports, const std::string& group = "dockd");

}  // namespace dockd::drivers::usb
