// The recorder's storage mounted read-only, nosuid, nodev, noexec under
// <base>/<bay>/media (DESIGN §6 ums); read-write only for the moment of a
// wipe or a clock file; unmounted when the recorder goes (lazily when the
// device already vanished, or something still holds it).
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "daemon/common/result.hpp"

namespace dockd::drivers::ums {

// Per-filesystem mount data: FAT and exFAT store local time without a zone,
// so they get the host's UTC offset (time_offset=, minutes) and UTF-8 names.
std::string mount_data(const std::string& fs_type, bool read_write);

class MediaMount {
public:
    // fs_type "" tries vfat, exfat, ext4 in turn (what recorders and tests use).
    static Result<std::unique_ptr<MediaMount>> mount_ro(const std::string& devnode, const std::string& fs_type,
                                                        const std::filesystem::path& target);
    ~MediaMount();
    MediaMount(const MediaMount&) = delete;
    MediaMount& operator=(const MediaMount&) = delete;

    Result<void> remount(bool read_write);
    // lazy: MNT_DETACH, for a device that vanished.
    void unmount(bool lazy);
    const std::filesystem::path& root() const { return target_; }
    const std::string& fs_type() const { return fs_type_; }

private:
    MediaMount(std::filesystem::path target, std::string fs_type)
        : target_(std::move(target)), fs_type_(std::move(fs_type)) {}
    std::filesystem::path target_;
    std::string fs_type_;
    bool mounted_ = true;
};

// RAII: read-write while alive, back to read-only after.
class WriteWindow {
public:
    explicit WriteWindow(MediaMount& m) : m_(m) {}
    Result<void> open() { return m_.remount(true); }
    ~WriteWindow() { (void)m_.remount(false); }

private:
    MediaMount& m_;
};

}  // namespace dockd::drivers::ums
