// A simulated recorder over DIR/N/device.json and DIR/N/media/ (DESIGN §6
// "Simulated recorders"). device.json is re-read on every call so tests can
// change a recorder's behaviour while it is docked.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <tuple>

#include "drivers/recorder.hpp"
#include "drivers/sim/device_file.hpp"
#include "drivers/sim/docking.hpp"

namespace dockd::drivers::sim {

class SimRecorder : public Recorder {
public:
    // Construction is the docking: battery charging counts from now, and the
    // recorder is "removed" once bay_dir is gone or replaced.
    SimRecorder(int bay, std::filesystem::path bay_dir);

    Result<Identity> identify() override;
    Result<std::optional<int>> battery_percent() override;
    Result<StorageInfo> storage() override;
    Result<std::optional<DeviceTime>> read_clock() override;
    Result<void> set_clock(SystemTime now) override;
    Result<std::vector<MediaEntry>> list_media() override;
    Result<std::unique_ptr<MediaReader>> open_media(const MediaEntry& entry) override;
    Result<void> remove_media(const MediaEntry& entry) override;

private:
    // The bay still docked, then its device.json; errors carry "bay N: ".
    Result<DeviceFile> device() const;

    std::shared_ptr<Docking> docking_;
    mutable std::mutex cache_mutex_;
    mutable std::optional<DeviceFile> cached_;
    mutable std::tuple<ino_t, off_t, time_t, long> cached_key_{};
};

}  // namespace dockd::drivers::sim
