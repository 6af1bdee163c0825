#include "drivers/sim/sim_recorder.hpp"

#include <algorithm>
#include <cmath>

#include "drivers/sim/media_tree.hpp"
#include "drivers/sim/sim_reader.hpp"

namespace dockd::drivers::sim {

SimRecorder::SimRecorder(int bay, std::filesystem::path bay_dir)
    : docking_(std::make_shared<Docking>(bay, std::move(bay_dir))) {}

Result<DeviceFile> SimRecorder::device() const {
    if (auto r = docking_->check_present(); !r) return r.error();
    auto dev = load_device_file(docking_->dir());
    if (!dev) return dev.error().context(docking_->where());
    return dev;
}

Result<Identity> SimRecorder::identify() {
    auto dev = device();
    if (!dev) return dev.error();
    return std::move(dev->identity);
}

Result<int> SimRecorder::battery_percent() {
    auto dev = device();
    if (!dev) return dev.error();
    using Minutes = std::chrono::duration<double, std::ratio<60>>;
    const Minutes docked = std::chrono::steady_clock::now() - docking_->docked_at();
    const double level = dev->battery_percent + dev->charge_percent_per_min * docked.count();
    return static_cast<int>(std::clamp(std::floor(level), 0.0, 100.0));
}

Result<StorageInfo> SimRecorder::storage() {
    auto dev = device();
    if (!dev) return dev.error();
    auto media = list_media();
    if (!media) return media.error();
    std::uint64_t used = 0;
    for (const auto& e : *media) {
        if (!e.is_symlink) used += e.size_bytes;
    }
    const auto total = dev->storage_total_bytes;
    return StorageInfo{total, used >= total ? 0 : total - used};
}

Result<SystemTime> SimRecorder::read_clock() {
    auto dev = device();
    if (!dev) return dev.error();
    const std::chrono::duration<double> offset(dev->clock_offset_s);
    return std::chrono::system_clock::now() + std::chrono::duration_cast<SystemTime::duration>(offset);
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
    if (entry.is_symlink) return Error{where + ": " + entry.device_path + ": is a symlink, refused", ELOOP};
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
