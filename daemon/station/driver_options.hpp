// The station's configuration in each driver family's own terms: drivers
// know nothing of daemon/config, so the composition root translates here,
// in one place, what drivers[], ports[] and charge.* say.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "daemon/config/config.hpp"
#include "drivers/sdk/sdk_recorder.hpp"
#include "drivers/ums/ums_recorder.hpp"
#include "drivers/usb/usb_options.hpp"

namespace dockd::station {

std::vector<drivers::usb::BayPort> bay_ports(const std::vector<config::PortConfig>& ports);
// The ums and sdk entries, each claim naming its index in cfg.drivers.
std::vector<drivers::usb::UsbClaim> usb_claims(const std::vector<config::DriverConfig>& drivers);
drivers::usb::PowerPolicy power_policy(const config::ChargeConfig& charge);
drivers::ums::UmsOptions ums_options(const config::DriverConfig& d, std::filesystem::path media_base);
drivers::sdk::SdkOptions sdk_options(const config::DriverConfig& d);
// dockd --udev-rules: the rules for this configuration's recorders and hubs.
std::string udev_rules(const config::Config& cfg, const std::string& group = "dockd");

}  // namespace dockd::station
