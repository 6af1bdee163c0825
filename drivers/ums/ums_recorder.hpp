// A mass-storage recorder (DESIGN §6 ums): identity from its USB descriptor
// strings, media from its storage mounted read-only, clock set by the time
// file. Battery and clock cannot be read over mass storage: both are unknown
// (DESIGN §12), never estimated.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>

#include "drivers/recorder.hpp"
#include "drivers/ums/block_device.hpp"
#include "drivers/ums/media_mount.hpp"
#include "drivers/usb/bay_slot.hpp"

namespace dockd::drivers::ums {

struct UmsOptions {
    std::filesystem::path media_base = "/run/dockd/bays";  // <base>/<bay>/media
    std::string time_file = "time.txt";
    std::string time_format = "%Y-%m-%d %H:%M:%S";
    // usb-storage probes the disk a moment after the USB device appears.
    std::chrono::milliseconds block_wait{15000};
    // Finds the block device; default: libudev under the slot's USB device.
    std::function<Result<BlockDevice>(const usb::UsbDeviceInfo&)> locate;
};

class UmsRecorder : public Recorder {
public:
    UmsRecorder(std::shared_ptr<usb::BaySlot> slot, UmsOptions opt);
    ~UmsRecorder() override;

    Result<Identity> identify() override;
    Result<std::optional<int>> battery_percent() override;
    Result<StorageInfo> storage() override;
    Result<std::optional<DeviceTime>> read_clock() override;
    Result<void> set_clock(SystemTime now) override;
    Result<std::vector<MediaEntry>> list_media() override;
    Result<std::unique_ptr<MediaReader>> open_media(const MediaEntry& entry) override;
    Result<void> remove_media(const MediaEntry& entry) override;

    std::filesystem::path mount_point() const;

private:
    Result<MediaMount*> mounted();  // mounts on first use; caller holds mu_
    std::string where() const { return "bay " + std::to_string(slot_->bay()); }

    std::shared_ptr<usb::BaySlot> slot_;
    UmsOptions opt_;
    std::mutex mu_;
    std::unique_ptr<MediaMount> mount_;
};

}  // namespace dockd::drivers::ums
