#include "drivers/ums/block_device.hpp"

#include <libudev.h>

#include <memory>
#include <optional>

namespace dockd::drivers::ums {
namespace {

struct UdevDel {
    void operator()(udev* u) const { udev_unref(u); }
    void operator()(udev_device* d) const { udev_device_unref(d); }
    void operator()(udev_enumerate* e) const { udev_enumerate_unref(e); }
};
template <class T>
using Udev = std::unique_ptr<T, UdevDel>;

std::string prop(udev_device* d, const char* key) {
    const char* v = udev_device_get_property_value(d, key);
    return v ? v : "";
}

}  // namespace

Result<BlockDevice> find_block_device(const std::string& usb_port_path) {
    const std::string where = "usb " + usb_port_path;
    Udev<udev> u(udev_new());
    if (!u) return sys_error(where + ": udev_new");
    Udev<udev_device> usbdev(udev_device_new_from_subsystem_sysname(u.get(), "usb", usb_port_path.c_str()));
    if (!usbdev) return Error{where + ": no such USB device in sysfs"};
    Udev<udev_enumerate> en(udev_enumerate_new(u.get()));
    udev_enumerate_add_match_parent(en.get(), usbdev.get());
    udev_enumerate_add_match_subsystem(en.get(), "block");
    if (int rc = udev_enumerate_scan_devices(en.get()); rc < 0) return sys_error(where + ": scan block devices", -rc);
    std::optional<std::pair<std::string, BlockDevice>> disk, part;
    for (auto* e = udev_enumerate_get_list_entry(en.get()); e; e = udev_list_entry_get_next(e)) {
        Udev<udev_device> d(udev_device_new_from_syspath(u.get(), udev_list_entry_get_name(e)));
        if (!d) continue;
        const char* node = udev_device_get_devnode(d.get());
        const char* type = udev_device_get_devtype(d.get());
        const char* name = udev_device_get_sysname(d.get());
        if (!node || !type || !name) continue;
        std::pair<std::string, BlockDevice> found{name, {node, prop(d.get(), "ID_FS_TYPE")}};
        if (std::string(type) == "partition") {
            if (!part || found.first < part->first) part = found;
        } else if (std::string(type) == "disk") {
            if (!disk || found.first < disk->first) disk = found;
        }
    }
    if (part) return part->second;
    if (disk) {
        disk->second.whole_disk = true;
        return disk->second;
    }
    return Error{where + ": no block device (not in mass-storage mode yet, or no medium)"};
}

}  // namespace dockd::drivers::ums
