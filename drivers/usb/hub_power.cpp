#include "drivers/usb/hub_power.hpp"

#include <charconv>

#include "drivers/usb/usb_context.hpp"

namespace dockd::drivers::usb {
namespace {

constexpr unsigned kTimeoutMs = 1000;
// USB 2.0 Table 11-15 (hub class requests) and Table 11-17 (feature selectors).
constexpr uint8_t kReqGetStatus = 0x00, kReqClearFeature = 0x01, kReqSetFeature = 0x03, kReqGetDescriptor = 0x06;
constexpr uint16_t kFeaturePortPower = 8;
// bmRequestType: class request to a port ("other") / to the hub device.
// (USB 2.0 §9.3.1: D7 direction, D6..5 type 01 = class, D4..0 recipient 3 = other).
constexpr uint8_t kToPort = 0x23;    // host-to-device, class, other (a port)
constexpr uint8_t kFromPort = 0xA3;  // device-to-host, class, other
constexpr uint8_t kFromHub = 0xA0;   // device-to-host, class, device (the hub)

struct OpenHub {
    UniqueHandle handle;
    bool usb3 = false;
};

Result<OpenHub> open_switching_hub(libusb_context* ctx, const HubPort& hp) {
    const std::string where = "hub " + hp.hub_path + " port " + std::to_string(hp.port);
    DeviceRef dev = find_device(ctx, hp.hub_path);
    if (!dev) return Error{where + ": hub not found on the bus"};
    libusb_device_descriptor dd{};
    libusb_get_device_descriptor(dev.get(), &dd);
    if (dd.bDeviceClass != LIBUSB_CLASS_HUB) return Error{where + ": " + hp.hub_path + " is not a hub"};
    libusb_device_handle* raw = nullptr;
    if (int rc = libusb_open(dev.get(), &raw); rc != 0) return Error{where + ": open: " + usb_error(rc)};
    OpenHub hub{UniqueHandle(raw), dd.bcdUSB >= 0x0300};
    // Hub descriptor: type 0x29 (USB 2.0 §11.23.2.1), 0x2A for SuperSpeed hubs (USB 3.2 §10.15.2.1).
    unsigned char desc[16]{};
    const uint16_t type = hub.usb3 ? 0x2A00 : 0x2900;
    int n = libusb_control_transfer(raw, kFromHub, kReqGetDescriptor, type, 0, desc, sizeof desc, kTimeoutMs);
    if (n < 0) return Error{where + ": GET_DESCRIPTOR(hub): " + usb_error(n)};
    if (n < 5) return Error{where + ": hub descriptor too short (" + std::to_string(n) + " bytes)"};
    if (hp.port < 1 || hp.port > desc[2]) return Error{where + ": hub has " + std::to_string(desc[2]) + " ports"};
    // wHubCharacteristics D1..D0, logical power switching mode: 00 ganged,
    // 01 individual port, 1X no power switching (USB 1.0 hubs).
    const unsigned mode = desc[3] & 0x03u;
    if (mode != 0x01)
        return Error{where + ": hub does not switch port power per port (wHubCharacteristics power mode " +
                     std::string(mode == 0 ? "ganged" : "none") + ")"};
    return hub;
}

Result<uint16_t> port_status(libusb_device_handle* h, const HubPort& hp) {
    unsigned char st[4]{};
    int n = libusb_control_transfer(h, kFromPort, kReqGetStatus, 0, static_cast<uint16_t>(hp.port), st, sizeof st,
                                    kTimeoutMs);
    if (n < 0) return Error{"GET_STATUS(port " + std::to_string(hp.port) + "): " + usb_error(n)};
    if (n < 4) return Error{"GET_STATUS(port " + std::to_string(hp.port) + "): short answer"};
    return static_cast<uint16_t>(st[0] | (st[1] << 8));
}

// wPortStatus PORT_POWER: bit 8 on USB 2.0 hubs (Table 11-21), bit 9 on
// SuperSpeed hubs (USB 3.2 Table 10-13).
bool powered(uint16_t status, bool usb3) {
    return status & (usb3 ? 0x0200u : 0x0100u);
}

}  // namespace

std::optional<HubPort> hub_port_of(const std::string& usb_path) {
    const auto dash = usb_path.find('-');
    if (dash == std::string::npos) return std::nullopt;
    const auto dot = usb_path.rfind('.');
    const auto cut = dot == std::string::npos || dot < dash ? dash : dot;
    int port = 0;
    const char* b = usb_path.data() + cut + 1;
    const char* e = usb_path.data() + usb_path.size();
    auto [end, ec] = std::from_chars(b, e, port);
    if (ec != std::errc{} || end != e || port < 1) return std::nullopt;
    if (cut == dash) return HubPort{"usb" + usb_path.substr(0, dash), port};
    return HubPort{usb_path.substr(0, cut), port};
}

Result<void> set_port_power(libusb_context* ctx, const HubPort& hp, bool on) {
    auto hub = open_switching_hub(ctx, hp);
    if (!hub) return hub.error();
    const std::string where = "hub " + hp.hub_path + " port " + std::to_string(hp.port);
    // SET_FEATURE / CLEAR_FEATURE(PORT_POWER), wIndex = port (USB 2.0 §11.24.2.13, §11.24.2.2).
    int rc = libusb_control_transfer(hub->handle.get(), kToPort, on ? kReqSetFeature : kReqClearFeature,
                                     kFeaturePortPower, static_cast<uint16_t>(hp.port), nullptr, 0, kTimeoutMs);
    if (rc < 0) return Error{where + ": " + (on ? "SET" : "CLEAR") + "_FEATURE(PORT_POWER): " + usb_error(rc)};
    auto st = port_status(hub->handle.get(), hp);
    if (!st) return st.error().context(where);
    if (powered(*st, hub->usb3) != on)
        return Error{where + ": hub accepted the request but reports port power " + (on ? "off" : "on")};
    return {};
}

Result<bool> port_power(libusb_context* ctx, const HubPort& hp) {
    auto hub = open_switching_hub(ctx, hp);
    if (!hub) return hub.error();
    auto st = port_status(hub->handle.get(), hp);
    if (!st) return st.error().context("hub " + hp.hub_path);
    return powered(*st, hub->usb3);
}

}  // namespace dockd::drivers::usb
