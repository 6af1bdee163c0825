#include "drivers/sim/sim_recorder.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>

#include "daemon/common/time.hpp"
#include "drivers/sim/media_tree.hpp"
#include "drivers/sim/sim_reader.hpp"

namespace dockd::drivers::sim {

SimRecorder::SimRecorder(int bay, std::filesystem::path bay_dir)
    : docking_(std::make_shared<Docking>(bay, std::move(bay_dir))) {}

// device.json is read again whenever it changed (tests change a docked
// recorder's behaviour), not on every call: parsing it per file would be
// most of the cost of offloading thousands of small files.
Result<DeviceFile> SimRecorder::device() const {
    if (auto r = docking_->check_present(); !r) return r.error();
    struct stat st {};
    const bool known = ::stat((docking_->dir() / "device.json").c_str(), &st) == 0;
    const auto key = std::make_tuple(st.st_ino, st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    std::lock_guard lock(cache_mutex_);
    if (known && cached_ && cached_key_ == key) return *cached_;
    auto dev = load_device_file(docking_->dir());
    if (!dev) return dev.error().context(docking_->where());
    cached_ = *dev;
    cached_key_ = key;
    return dev;
}

Result<Identity> SimRecorder::identify() {
    auto dev = device();
    if (!dev) return dev.error();
    return std::move(dev->identity);
}

// The simulated recorder reads its own battery, charging from its level at
// docking at charge_percent_per_min; null in device.json: it cannot.
Result<std::optional<int>> SimRecorder::battery_percent() {
    auto dev = device();
    if (!dev) return dev.error();
    if (!dev->battery_percent) return std::optional<int>();
    using Minutes = std::chrono::duration<double, std::ratio<60>>;
    const Minutes docked = std::chrono::steady_clock::now() - docking_->docked_at();
    const double level = *dev->battery_percent + dev->charge_percent_per_min * docked.count();
    return std::optional<int>(static_cast<int>(std::clamp(std::floor(level), 0.0, 100.0)));
}

Result<StorageInfo> SimRecorder::storage() {
    auto dev = device();
    if (!dev) return dev.error();
    auto media = list_media();
    if (!media) return media.error();
    if (!dev->storage_total_bytes) return StorageInfo{};
    std::uint64_t used = 0;
    for (const auto& e : *media)
        if (e.kind == EntryKind::file) used += e.size_bytes;
    const auto total = *dev->storage_total_bytes;
    return StorageInfo{total, used >= total ? 0 : total - used};
}

// Host time plus clock_offset_s, as a device's date register holds it: years
// 0001..9999 (an absurd offset reads as the register's end, never overflows).
Result<std::optional<DeviceTime>> SimRecorder::read_clock() {
    auto dev = device();
    if (!dev) return dev.error();
    if (!dev->clock_readable) return std::optional<DeviceTime>();
    const double now_ms = static_cast<double>(to_unix_ms(std::chrono::system_clock::now()));
    const double ms = std::clamp(now_ms + dev->clock_offset_s * 1000.0, static_cast<double>(rfc3339_min_ms),
                                 static_cast<double>(rfc3339_max_ms));
    return std::optional<DeviceTime>(DeviceTime(std::chrono::milliseconds(static_cast<std::int64_t>(ms))));
}

Result<void> SimRecorder::set_clock(SystemTime) {
    auto dev = device();
    if (!dev) return dev.error();
    if (dev->faults.clock_set_fails)
        return Error{docking_->where() + ": set clock: refused by device (faults.clock_set_fails)", EIO};
    // The sim's clock is the host clock plus an offset: setting it to the
    // station's time leaves no offset (DESIGN §6).
    if (auto r = reset_clock_offset(docking_->dir()); !r) return r.error().context(docking_->where() + ": set clock");
    return {};
}

Result<std::vector<MediaEntry>> SimRecorder::list_media() {
    auto dev = device();
    if (!dev) return dev.error();
    auto root = open_media_root(docking_->dir());
    if (!root) return root.error().context(docking_->where());
    auto entries = list_tree(root->get());
    if (!entries) return entries.error().context(docking_->where());
    for (auto& e : *entries) e.important = dev->important.count(e.device_path) > 0;
    return entries;
}

Result<std::unique_ptr<MediaReader>> SimRecorder::open_media(const MediaEntry& entry) {
    const auto where = docking_->where();
    if (entry.kind != EntryKind::file)
        return Error{where + ": " + entry.device_path + ": not a regular file, refused", ELOOP};
    auto dev = device();
    if (!dev) return dev.error();
    auto root = open_media_root(docking_->dir());
    if (!root) return root.error().context(where);
    auto fd = open_beneath(root->get(), entry.device_path);
    if (!fd) return fd.error().context(where);

    ReadFaults faults;
    for (const auto& f : dev->faults.io_error) {
        if (f.path == entry.device_path) faults.io_error_offsets.push_back(f.offset);
    }
    std::sort(faults.io_error_offsets.begin(), faults.io_error_offsets.end());
    faults.stall_after_bytes = dev->faults.stall_after_bytes;
    faults.read_bytes_per_s = dev->read_bytes_per_s;
    return std::unique_ptr<MediaReader>(std::make_unique<SimMediaReader>(docking_, std::move(*fd), std::move(faults)));
}

Result<void> SimRecorder::remove_media(const MediaEntry& entry) {
    if (auto r = docking_->check_present(); !r) return r.error();
    auto root = open_media_root(docking_->dir());
    if (!root) return root.error().context(docking_->where());
    if (auto r = unlink_beneath(root->get(), entry.device_path); !r) return r.error().context(docking_->where());
    return {};
}

}  // namespace dockd::drivers::sim
