// A vendor-library recorder (DESIGN §6 sdk): the vendor library, loaded in
// dockd-sdk-host, unlocks it with the vendor password and reports identity,
// officer and battery; SetMSDC then switches it to mass storage and it
// continues as a ums recorder in the same bay and the same docking. Call
// order (GA/T 947): Init_Device, GetZFYInfo, ReadDeviceBatteryDumpEnergy,
// [WriteZFYInfo], [SyncDevTime], SetMSDC: once switched, the vendor
// interface is gone.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "drivers/recorder.hpp"
#include "drivers/sdk/vendor_host.hpp"
#include "drivers/sdk/zfy_info.hpp"
#include "drivers/usb/bay_slot.hpp"

namespace dockd::drivers::sdk {

struct SdkOptions {
    std::filesystem::path library;
    std::filesystem::path host = default_host_path();
    ZfyLayout layout = ZfyLayout::packed89;
    std::filesystem::path password_file;
    std::chrono::milliseconds call_timeout{5000};
    std::chrono::milliseconds mode_switch_timeout{30000};
    // WriteZFYInfo of the officer assigned at the station (drivers[].write_officer).
    bool write_officer = true;
    // Builds the mass-storage recorder once the bay re-enumerated (ums).
    std::function<std::shared_ptr<Recorder>(std::shared_ptr<usb::BaySlot>)> continue_as_ums;
};

// The vendor password: the file's first line (trailing newline dropped).
// The file must not be readable by group or others.
Result<std::string> read_password(const std::filesystem::path& file);

class SdkRecorder : public Recorder {
public:
    SdkRecorder(std::shared_ptr<usb::BaySlot> slot, SdkOptions opt);

    Result<Identity> identify() override;
    Result<std::optional<int>> battery_percent() override;
    Result<StorageInfo> storage() override;
    Result<std::optional<DeviceTime>> read_clock() override;
    Result<void> set_clock(SystemTime now) override;
    bool clock_set_before_media() const override;
    Result<bool> write_officer(const Officer& officer) override;
    Result<std::vector<MediaEntry>> list_media() override;
    Result<std::unique_ptr<MediaReader>> open_media(const MediaEntry& entry) override;
    Result<void> remove_media(const MediaEntry& entry) override;

private:
    Result<VendorHost*> host();  // caller holds mu_
    Result<VendorReply> vendor(const std::string& function, const std::string& request);
    Result<Recorder*> storage_mode();  // SetMSDC once, then the ums recorder
    std::string where() const { return "bay " + std::to_string(slot_->bay()); }

    std::shared_ptr<usb::BaySlot> slot_;
    SdkOptions opt_;
    std::mutex mu_;
    std::unique_ptr<VendorHost> host_;
    std::optional<std::string> password_;
    std::optional<int> battery_;
    std::optional<ZfyInfo> zfy_;  // as GetZFYInfo read it
    bool can_sync_ = false;       // SyncDevTime exported: the clock is set before SetMSDC
    std::shared_ptr<Recorder> ums_;
};

}  // namespace dockd::drivers::sdk
