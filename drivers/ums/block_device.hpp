// The block device a mass-storage recorder exposes, found with libudev as a
// block child of its USB device (/sys/bus/usb/devices/1-1.4 -> sdX -> sdX1).
#pragma once

#include <string>

#include "daemon/common/result.hpp"

namespace dockd::drivers::ums {

struct BlockDevice {
    std::string devnode;      // "/dev/sda1"
    std::string fs_type;      // ID_FS_TYPE from the udev database, "" when unknown
    bool whole_disk = false;  // no partition seen (yet) under the disk
};

// The first partition (by name), else the whole disk when it has no
// partition table (many recorders format the bare disk).
Result<BlockDevice> find_block_device(const std::string& usb_port_path);

}  // namespace dockd::drivers::ums
