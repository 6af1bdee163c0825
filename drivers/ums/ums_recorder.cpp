#include "drivers/ums/ums_recorder.hpp"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <thread>

#include "daemon/common/fs.hpp"
#include "drivers/sim/media_tree.hpp"
#include "drivers/ums/time_file.hpp"

namespace dockd::drivers::ums {
namespace {

class FileReader : public MediaReader {
public:
    FileReader(UniqueFd fd, std::shared_ptr<usb::BaySlot> slot) : fd_(std::move(fd)), slot_(std::move(slot)) {}
    Result<std::size_t> read(std::span<std::byte> buf) override {
        for (;;) {
            const ssize_t n = ::read(fd_.get(), buf.data(), buf.size());
            if (n >= 0) return static_cast<std::size_t>(n);
            if (errno == EINTR) continue;
            const int err = errno;
            if (!slot_->current()) return Error{"recorder removed", err};
            return Error{std::strerror(err), err};
        }
    }

private:
    UniqueFd fd_;
    std::shared_ptr<usb::BaySlot> slot_;
};

Result<UniqueFd> open_root(const std::filesystem::path& root) {
    UniqueFd fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) return sys_error("open " + root.string());
    return fd;
}

}  // namespace

UmsRecorder::UmsRecorder(std::shared_ptr<usb::BaySlot> slot, UmsOptions opt)
    : slot_(std::move(slot)), opt_(std::move(opt)) {
    if (!opt_.locate) opt_.locate = [](const usb::UsbDeviceInfo& i) { return find_block_device(i.port_path); };
}

UmsRecorder::~UmsRecorder() {
    std::lock_guard lock(mu_);
    // Removal or shutdown; a device that already vanished is detached lazily.
    if (mount_) mount_->unmount(!slot_->current());
}

std::filesystem::path UmsRecorder::mount_point() const {
    return opt_.media_base / std::to_string(slot_->bay()) / "media";
}

Result<MediaMount*> UmsRecorder::mounted() {
    if (mount_) return mount_.get();
    auto dev = slot_->current();
    if (!dev) return Error{where() + ": recorder removed"};
    auto block = opt_.locate(*dev);
    const auto give_up = std::chrono::steady_clock::now() + opt_.block_wait;
    while (!block && std::chrono::steady_clock::now() < give_up && slot_->current()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        block = opt_.locate(*dev);
    }
    if (!block) return block.error().context(where());
    if (block->whole_disk) {
        // udev announces a disk before its partitions: give them a moment
        // before taking the bare disk as a partitionless (superfloppy) medium.
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        if (auto again = opt_.locate(*dev)) block = std::move(again);
    }
    auto m = MediaMount::mount_ro(block->devnode, block->fs_type, mount_point());
    if (!m) return m.error().context(where());
    mount_ = std::move(*m);
    return mount_.get();
}

Result<Identity> UmsRecorder::identify() {
    auto dev = slot_->current();
    if (!dev) return Error{where() + ": recorder removed"};
    if (dev->serial.empty()) return Error{where() + ": recorder reports no USB serial number"};
    char fw[16];
    std::snprintf(fw, sizeof fw, "%x.%02x", dev->bcd_device >> 8, dev->bcd_device & 0xff);
    std::lock_guard lock(mu_);
    if (auto m = mounted(); !m) return m.error();
    return Identity{dev->serial, dev->manufacturer, dev->product, fw, std::nullopt};
}

// Mass storage has no battery query (DESIGN §12: unknown, not estimated).
Result<std::optional<int>> UmsRecorder::battery_percent() {
    return std::optional<int>();
}

Result<StorageInfo> UmsRecorder::storage() {
    std::lock_guard lock(mu_);
    auto m = mounted();
    if (!m) return m.error();
    struct statvfs st {};
    if (::statvfs((*m)->root().c_str(), &st) != 0) return sys_error(where() + ": statvfs");
    return StorageInfo{static_cast<std::uint64_t>(st.f_blocks) * st.f_frsize,
                       static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize};
}

Result<std::vector<MediaEntry>> UmsRecorder::list_media() {
    std::lock_guard lock(mu_);
    auto m = mounted();
    if (!m) return m.error();
    auto root = open_root((*m)->root());
    if (!root) return root.error().context(where());
    auto entries = sim::list_tree(root->get());
    if (!entries) return entries.error().context(where());
    // The clock file is the station's, not footage.
    std::erase_if(*entries, [&](const MediaEntry& e) { return e.device_path == opt_.time_file; });
    return entries;
}

// Mass storage has no clock query; file times are no evidence of the clock
// (a file may simply be old), so the offset is unknown, never guessed.
Result<std::optional<DeviceTime>> UmsRecorder::read_clock() {
    return std::optional<DeviceTime>();
}

Result<void> UmsRecorder::set_clock(SystemTime now) {
    auto text = format_time_file(opt_.time_format, now);
    if (!text) return text.error().context(where());
    std::lock_guard lock(mu_);
    auto m = mounted();
    if (!m) return m.error();
    WriteWindow rw(**m);
    if (auto r = rw.open(); !r) return r.error().context(where());
    // Written at the storage root; time_file is validated relative, without "..".
    const auto path = (*m)->root() / opt_.time_file;
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!fd) return sys_error(where() + ": write " + opt_.time_file);
    if (auto r = write_all(fd.get(), *text, where() + ": write " + opt_.time_file); !r) return r;
    if (::fsync(fd.get()) != 0) return sys_error(where() + ": fsync " + opt_.time_file);
    return {};
}

Result<std::unique_ptr<MediaReader>> UmsRecorder::open_media(const MediaEntry& entry) {
    if (entry.kind != EntryKind::file)
        return Error{where() + ": " + entry.device_path + ": not a regular file, refused", ELOOP};
    std::lock_guard lock(mu_);
    auto m = mounted();
    if (!m) return m.error();
    auto root = open_root((*m)->root());
    if (!root) return root.error().context(where());
    auto fd = sim::open_beneath(root->get(), entry.device_path);
    if (!fd) return fd.error().context(where());
    return std::unique_ptr<MediaReader>(std::make_unique<FileReader>(std::move(*fd), slot_));
}

Result<void> UmsRecorder::remove_media(const MediaEntry& entry) {
    std::lock_guard lock(mu_);
    auto m = mounted();
    if (!m) return m.error();
    WriteWindow rw(**m);  // read-write only for the wipe
    if (auto r = rw.open(); !r) return r.error().context(where());
    auto root = open_root((*m)->root());
    if (!root) return root.error().context(where());
    if (auto r = sim::unlink_beneath(root->get(), entry.device_path); !r) return r.error().context(where());
    return {};
}

}  // namespace dockd::drivers::ums
