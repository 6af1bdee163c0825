// The ums driver's libudev lookup of a recorder's block device, under
// umockdev records shaped like the kernel's (usb_device -> usb_interface ->
// scsi host/target/device -> block disk -> partition).
#include <gtest/gtest.h>

#include "drivers/ums/block_device.hpp"
#include "tests/unit/usb_testbed.hpp"

namespace dockd::drivers::ums {
namespace {

using testing::EmuDevice;
using testing::EmulatedBus;

EmuDevice storage(const std::string& path, int devnum) {
    return {path, devnum, 0x1234, 0x0003, 0, 8, "ZFY Corp", "DSJ-X1 Storage", "ZFY" + std::to_string(devnum), 0, 0};
}

TEST(UsbBlockLookup, FindsThePartitionUnderTheRecordersPort) {
    EmulatedBus bus;
    std::string why;
    if (!bus.active(why)) GTEST_SKIP() << why;
    bus.add({"usb1", 1, 0x1d6b, 2, 9, 9, "Linux", "root", "", 4, 1});
    bus.add({"1-1", 2, 0x05e3, 0x0610, 9, 9, "Hub", "Hub", "", 4, 1});
    bus.add(storage("1-1.4", 5));
    bus.add(storage("1-1.3", 6));
    bus.add(storage("1-1.2", 7));
    bus.add_disk("1-1.4", 6, "sda", 0, {"sda2", "sda1"});
    bus.add_disk("1-1.3", 7, "sdb", 16, {});  // a bare disk, no partition table

    auto a = find_block_device("1-1.4");
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_EQ(a->devnode, "/dev/sda1");
    EXPECT_EQ(a->fs_type, "vfat");
    auto b = find_block_device("1-1.3");
    ASSERT_TRUE(b) << b.error().message;
    EXPECT_EQ(b->devnode, "/dev/sdb");
    auto c = find_block_device("1-1.2");  // still in vendor mode: no disk yet
    ASSERT_FALSE(c);
    EXPECT_NE(c.error().message.find("no block device"), std::string::npos) << c.error().message;
    EXPECT_FALSE(find_block_device("1-1.1")) << "no device on that port";
}

}  // namespace
}  // namespace dockd::drivers::ums
