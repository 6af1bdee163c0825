// An emulated USB bus for the usb/ums tests: umockdev testbed records for a
// root hub, hubs and recorders, and one ioctl handler that answers the control
// transfers libusb sends (descriptor strings, hub class requests) from a
// small model and records every setup packet it saw.
#pragma once

#include <umockdev.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace dockd::testing {

struct Setup {
    std::string devnode;
    std::uint8_t request_type = 0, request = 0;
    std::uint16_t value = 0, index = 0;
};

struct EmuDevice {
    std::string port_path;  // "1-1.4"; "usb1" for the root hub
    int devnum = 0;
    std::uint16_t vid = 0, pid = 0;
    std::uint8_t device_class = 0;     // 9 = hub
    std::uint8_t interface_class = 0;  // 8 = mass storage
    std::string manufacturer, product, serial;
    // Hubs: ports and wHubCharacteristics (bits 1..0: 01 = per-port switching).
    int hub_ports = 4;
    std::uint16_t hub_characteristics = 0x0001;
};

class EmulatedBus {
public:
    EmulatedBus();
    ~EmulatedBus();
    // False (with the reason) when the umockdev preload is not active.
    bool active(std::string& why) const;
    std::string sysfs_path(const std::string& port_path) const;
    std::string devnode(int devnum) const;
    void add(const EmuDevice& d);
    void remove(const std::string& port_path);   // "remove" uevent, then gone
    void add_record(const std::string& record);  // raw extra records
    // A SCSI disk (and partitions, ID_FS_TYPE=vfat) under the mass-storage
    // interface of the device at port_path, as usb-storage makes them.
    void add_disk(const std::string& port_path, int host, const std::string& disk, int minor,
                  const std::vector<std::string>& partitions);

    std::vector<Setup> setups() const;
    void clear_setups();
    bool port_powered(const std::string& hub_path, int port) const;

    UMockdevTestbed* testbed() const { return tb_; }

private:
    static gboolean on_ioctl(UMockdevIoctlBase*, UMockdevIoctlClient* client, gpointer self);
    bool handle(UMockdevIoctlClient* client);
    bool control(const std::string& devnode, const std::uint8_t* setup, std::vector<std::uint8_t>& out);

    struct Pending {
        UMockdevIoctlData* urb;
        std::vector<std::uint8_t> data;
        int status;
    };
    UMockdevTestbed* tb_;
    UMockdevIoctlBase* handler_;
    mutable std::mutex mu_;
    std::map<std::string, EmuDevice> by_node_;             // devnode -> device
    std::map<std::string, std::vector<bool>> port_power_;  // hub devnode -> ports (1-based)
    std::map<std::string, std::vector<Pending>> pending_;  // devnode -> completed URBs to reap
    std::vector<Setup> setups_;
};

}  // namespace dockd::testing
