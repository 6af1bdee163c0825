#include "daemon/station/driver_options.hpp"

#include "drivers/usb/udev_rules.hpp"

namespace dockd::station {

std::vector<drivers::usb::BayPort> bay_ports(const std::vector<config::PortConfig>& ports) {
    std::vector<drivers::usb::BayPort> out;
    for (const auto& p : ports) out.push_back({p.id, p.usb_path});
    return out;
}

std::vector<drivers::usb::UsbClaim> usb_claims(const std::vector<config::DriverConfig>& drivers) {
    std::vector<drivers::usb::UsbClaim> out;
    for (std::size_t i = 0; i < drivers.size(); ++i) {
        const auto& d = drivers[i];
        if (d.type == config::DriverType::sim) continue;
        drivers::usb::UsbClaim claim{config::to_string(d.type), {}, i};
        for (const auto& m : d.match) claim.match.push_back({m.vid, m.pid});
        out.push_back(std::move(claim));
    }
    return out;
}

drivers::usb::PowerPolicy power_policy(const config::ChargeConfig& charge) {
    return {charge.max_concurrent_charging, charge.power_on_stagger};
}

drivers::ums::UmsOptions ums_options(const config::DriverConfig& d, std::filesystem::path media_base) {
    drivers::ums::UmsOptions o;
    o.media_base = std::move(media_base);
    o.time_file = d.time_file;
    o.time_format = d.time_format;
    return o;
}

drivers::sdk::SdkOptions sdk_options(const config::DriverConfig& d) {
    drivers::sdk::SdkOptions o;
    o.library = d.library;
    o.layout =
        d.zfy_layout == config::ZfyLayout::nul94 ? drivers::sdk::ZfyLayout::nul94 : drivers::sdk::ZfyLayout::packed89;
    o.password_file = d.password_file;
    o.call_timeout = d.call_timeout;
    o.write_officer = d.write_officer;
    return o;
}

std::string udev_rules(const config::Config& cfg, const std::string& group) {
    std::vector<drivers::usb::UsbId> ids;
    for (const auto& claim : usb_claims(cfg.drivers)) ids.insert(ids.end(), claim.match.begin(), claim.match.end());
    return drivers::usb::udev_rules(cfg.source.string(), ids, bay_ports(cfg.ports), group);
}

}  // namespace dockd::station
