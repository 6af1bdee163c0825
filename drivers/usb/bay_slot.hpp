// What a bay's USB port currently holds, shared by the dock source (which
// updates it from hotplug) and the bay's recorder (which reads it, and waits
// on it across a mode switch). The bay is the identity, not the device
// address: a recorder that re-enumerates keeps its docking.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

namespace dockd::drivers::usb {

struct UsbDeviceInfo {
    std::string port_path;  // "1-1.4", also the sysfs name under /sys/bus/usb/devices
    std::uint16_t vid = 0, pid = 0, bcd_device = 0;
    std::uint8_t bus = 0, address = 0, device_class = 0;
    std::string serial, manufacturer, product;
    int usb_index = 0;  // among present devices with this vid:pid, by bus and address (vendor *_ByIndex)
};

class BaySlot {
public:
    explicit BaySlot(int bay) : bay_(bay) {}
    int bay() const { return bay_; }

    std::optional<UsbDeviceInfo> current() const;
    // Waits until the port holds a device accepted by pred; nullopt on timeout.
    std::optional<UsbDeviceInfo> wait_for(const std::function<bool(const UsbDeviceInfo&)>& pred,
                                          std::chrono::milliseconds timeout) const;
    // The recorder is about to vanish and come back (mode switch, power
    // cycle): a disappearance within the window is not a removal.
    void expect_reenumeration(std::chrono::milliseconds window);
    // Counts commands that failed in a row; the usb source power-cycles the
    // port once it reaches the configured number.
    int note_command(bool ok);

    // Dock source side.
    void set(UsbDeviceInfo info);
    void clear();
    bool reenumeration_expected(std::chrono::steady_clock::time_point now) const;
    std::chrono::steady_clock::time_point reenumeration_deadline() const;

private:
    const int bay_;
    mutable std::mutex mu_;
    mutable std::condition_variable cv_;
    std::optional<UsbDeviceInfo> device_;
    std::chrono::steady_clock::time_point expect_until_{};
    int failures_ = 0;
};

}  // namespace dockd::drivers::usb
