#include "drivers/ums/media_mount.hpp"

#include <sys/mount.h>

#include <cstring>
#include <ctime>
#include <vector>

#include "daemon/common/fs.hpp"
#include "daemon/common/log.hpp"

namespace dockd::drivers::ums {
namespace {

constexpr unsigned long kSafe = MS_NOSUID | MS_NODEV | MS_NOEXEC;

long utc_offset_minutes() {
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    return local.tm_gmtoff / 60;
}

}  // namespace

std::string mount_data(const std::string& fs_type, bool) {
    const std::string offset = "time_offset=" + std::to_string(utc_offset_minutes());
    if (fs_type == "vfat") return "utf8,shortname=mixed,errors=remount-ro," + offset;
    if (fs_type == "exfat") return "iocharset=utf8,errors=remount-ro," + offset;
    if (fs_type == "ntfs3") return "iocharset=utf8";
    if (fs_type == "ext4" || fs_type == "ext3" || fs_type == "ext2") return "errors=remount-ro";
    return "";
}

Result<std::unique_ptr<MediaMount>> MediaMount::mount_ro(const std::string& devnode, const std::string& fs_type,
                                                         const std::filesystem::path& target) {
    if (auto r = make_dirs(target, 0750); !r) return r.error();
    std::vector<std::string> types =
        fs_type.empty() ? std::vector<std::string>{"vfat", "exfat", "ext4"} : std::vector<std::string>{fs_type};
    std::string tried;
    int last = 0;
    for (const auto& t : types) {
        const std::string data = mount_data(t, false);
        if (::mount(devnode.c_str(), target.c_str(), t.c_str(), MS_RDONLY | kSafe, data.c_str()) == 0)
            return std::unique_ptr<MediaMount>(new MediaMount(target, t));
        last = errno;
        tried += (tried.empty() ? "" : ", ") + t + ": " + std::strerror(last);
    }
    return Error{"mount " + devnode + " on " + target.string() + " (" + tried + ")", last};
}

Result<void> MediaMount::remount(bool read_write) {
    const std::string data = mount_data(fs_type_, read_write);
    const unsigned long flags = MS_REMOUNT | kSafe | (read_write ? 0 : MS_RDONLY);
    if (::mount(nullptr, target_.c_str(), nullptr, flags, data.c_str()) != 0)
        return sys_error(std::string("remount ") + (read_write ? "read-write " : "read-only ") + target_.string());
    return {};
}

void MediaMount::unmount(bool lazy) {
    if (!mounted_) return;
    if (::umount2(target_.c_str(), lazy ? MNT_DETACH : 0) != 0) {
        if (!lazy && errno == EBUSY && ::umount2(target_.c_str(), MNT_DETACH) == 0) {
            log::warning("unmount " + target_.string() + ": busy, detached lazily");
        } else {
            log::error("unmount " + target_.string() + ": " + std::strerror(errno));
            return;
        }
    }
    mounted_ = false;
}

MediaMount::~MediaMount() {
    unmount(false);
}

}  // namespace dockd::drivers::ums
