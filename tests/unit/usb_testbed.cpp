#include "tests/unit/usb_testbed.hpp"

#include <linux/usbdevice_fs.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace dockd::testing {
namespace {

std::string hex(const std::vector<std::uint8_t>& b) {
    std::string s;
    char buf[3];
    for (auto c : b) {
        std::snprintf(buf, sizeof buf, "%02x", c);
        s += buf;
    }
    return s;
}

void le16(std::vector<std::uint8_t>& v, std::uint16_t x) {
    v.push_back(static_cast<std::uint8_t>(x & 0xff));
    v.push_back(static_cast<std::uint8_t>(x >> 8));
}

std::vector<std::uint8_t> device_descriptor(const EmuDevice& d) {
    std::vector<std::uint8_t> v{18, 1};
    le16(v, 0x0200);
    v.insert(v.end(), {d.device_class, 0, 0, 64});
    le16(v, d.vid);
    le16(v, d.pid);
    le16(v, 0x0100);
    v.insert(v.end(), {1, 2, 3, 1});
    return v;
}

std::vector<std::uint8_t> config_descriptor(const EmuDevice& d) {
    const std::uint8_t cls = d.device_class == 9 ? 9 : d.interface_class;
    std::vector<std::uint8_t> v{9, 2, 18, 0, 1, 1, 0, 0x80, 50};
    v.insert(v.end(), {9, 4, 0, 0, 0, cls, cls == 8 ? std::uint8_t(6) : std::uint8_t(0),
                       cls == 8 ? std::uint8_t(0x50) : std::uint8_t(0), 0});
    return v;
}

std::vector<std::uint8_t> string_descriptor(const std::string& s) {
    std::vector<std::uint8_t> v{static_cast<std::uint8_t>(2 + 2 * s.size()), 3};
    for (char c : s) le16(v, static_cast<std::uint8_t>(c));
    return v;
}

}  // namespace

EmulatedBus::EmulatedBus() : tb_(umockdev_testbed_new()), handler_(umockdev_ioctl_base_new()) {
    g_signal_connect_after(handler_, "handle-ioctl", G_CALLBACK(&EmulatedBus::on_ioctl), this);
}

EmulatedBus::~EmulatedBus() {
    for (auto& [node, list] : pending_)
        for (auto& p : list) umockdev_ioctl_data_unref(p.urb);
    g_object_unref(handler_);
    g_object_unref(tb_);
}

bool EmulatedBus::active(std::string& why) const {
    if (umockdev_in_mock_environment()) return true;
    why = "umockdev preload is not active (link -lumockdev-preload or run under umockdev-wrapper)";
    return false;
}

std::string EmulatedBus::sysfs_path(const std::string& port_path) const {
    std::string p = "/devices/pci0000:00/0000:00:14.0/usb1";
    if (port_path.rfind("usb", 0) == 0) return p;
    // 1-1.4 lives under 1-1 which lives under usb1.
    std::string acc;
    const auto dash = port_path.find('-');
    std::string rest = port_path.substr(dash + 1);
    std::string prefix = port_path.substr(0, dash + 1);
    std::size_t pos = 0;
    for (;;) {
        const auto dot = rest.find('.', pos);
        acc = prefix + rest.substr(0, dot);
        p += "/" + acc;
        if (dot == std::string::npos) break;
        pos = dot + 1;
    }
    return p;
}

std::string EmulatedBus::devnode(int devnum) const {
    char buf[32];
    std::snprintf(buf, sizeof buf, "/dev/bus/usb/001/%03d", devnum);
    return buf;
}

void EmulatedBus::add(const EmuDevice& d) {
    const std::string node = devnode(d.devnum);
    {
        std::lock_guard lock(mu_);
        by_node_[node] = d;
        if (d.device_class == 9) port_power_[node] = std::vector<bool>(static_cast<std::size_t>(d.hub_ports) + 1, true);
    }
    GError* err = nullptr;
    // Attached before the device appears, as libusb's own tests do.
    if (!umockdev_testbed_attach_ioctl(tb_, node.c_str(), handler_, &err)) {
        std::string m = err ? err->message : "attach_ioctl failed";
        g_clear_error(&err);
        throw std::runtime_error(m);
    }
    auto descriptors = device_descriptor(d);
    auto cfg = config_descriptor(d);
    descriptors.insert(descriptors.end(), cfg.begin(), cfg.end());
    char num[8];
    std::snprintf(num, sizeof num, "%03d", d.devnum);
    std::string r = "P: " + sysfs_path(d.port_path) + "\n" + "N: bus/usb/001/" + num + "\n" + "E: DEVNAME=" + node +
                    "\nE: DEVTYPE=usb_device\nE: SUBSYSTEM=usb\nE: BUSNUM=001\nE: DEVNUM=" + num +
                    "\nA: busnum=1\\n\nA: devnum=" + std::to_string(d.devnum) +
                    "\\n\nA: speed=480\\n\nA: bConfigurationValue=1\\n\n";
    if (!d.serial.empty()) r += "A: serial=" + d.serial + "\\n\n";
    if (!d.product.empty()) r += "A: product=" + d.product + "\\n\n";
    if (!d.manufacturer.empty()) r += "A: manufacturer=" + d.manufacturer + "\\n\n";
    r += "H: descriptors=" + hex(descriptors) + "\n";
    add_record(r);
}

void EmulatedBus::add_record(const std::string& record) {
    GError* err = nullptr;
    if (!umockdev_testbed_add_from_string(tb_, record.c_str(), &err)) {
        std::string m = err ? err->message : "add_from_string failed";
        g_clear_error(&err);
        throw std::runtime_error(m + "\n" + record);
    }
}

void EmulatedBus::remove(const std::string& port_path) {
    const std::string sys = "/sys" + sysfs_path(port_path);
    umockdev_testbed_uevent(tb_, sys.c_str(), "remove");
    umockdev_testbed_remove_device(tb_, sys.c_str());
    std::lock_guard lock(mu_);
    for (auto it = by_node_.begin(); it != by_node_.end(); ++it)
        if (it->second.port_path == port_path) {
            by_node_.erase(it);
            break;
        }
}

std::vector<Setup> EmulatedBus::setups() const {
    std::lock_guard lock(mu_);
    return setups_;
}

void EmulatedBus::clear_setups() {
    std::lock_guard lock(mu_);
    setups_.clear();
}

bool EmulatedBus::port_powered(const std::string& hub_path, int port) const {
    std::lock_guard lock(mu_);
    for (const auto& [node, d] : by_node_)
        if (d.port_path == hub_path) return port_power_.at(node).at(static_cast<std::size_t>(port));
    return false;
}

gboolean EmulatedBus::on_ioctl(UMockdevIoctlBase*, UMockdevIoctlClient* client, gpointer self) {
    return static_cast<EmulatedBus*>(self)->handle(client) ? TRUE : FALSE;
}

// Runs on umockdev's worker thread.
bool EmulatedBus::handle(UMockdevIoctlClient* client) {
    const unsigned long request = static_cast<unsigned long>(umockdev_ioctl_client_get_request(client));
    UMockdevIoctlData* arg = umockdev_ioctl_client_get_arg(client);
    const std::string node = umockdev_ioctl_client_get_devnode(client);
    switch (request) {
        case USBDEVFS_GET_CAPABILITIES: {
            UMockdevIoctlData* d = umockdev_ioctl_data_resolve(arg, 0, sizeof(std::uint32_t), nullptr);
            *reinterpret_cast<std::uint32_t*>(d->data) =
                USBDEVFS_CAP_REAP_AFTER_DISCONNECT | USBDEVFS_CAP_NO_PACKET_SIZE_LIM;
            umockdev_ioctl_data_unref(d);
            umockdev_ioctl_client_complete(client, 0, 0);
            return true;
        }
        case USBDEVFS_CLAIMINTERFACE:
        case USBDEVFS_RELEASEINTERFACE:
        case USBDEVFS_SETINTERFACE:
        case USBDEVFS_RESET:
        case USBDEVFS_CLEAR_HALT:
            umockdev_ioctl_client_complete(client, 0, 0);
            return true;
        case USBDEVFS_SUBMITURB: {
            UMockdevIoctlData* urb_data = umockdev_ioctl_data_resolve(arg, 0, sizeof(usbdevfs_urb), nullptr);
            auto* urb = reinterpret_cast<usbdevfs_urb*>(urb_data->data);
            if (urb->type != USBDEVFS_URB_TYPE_CONTROL || urb->buffer_length < 8) {
                umockdev_ioctl_data_unref(urb_data);
                umockdev_ioctl_client_complete(client, -1, EINVAL);
                return true;
            }
            UMockdevIoctlData* buf = umockdev_ioctl_data_resolve(urb_data, offsetof(usbdevfs_urb, buffer),
                                                                 static_cast<gsize>(urb->buffer_length), nullptr);
            std::vector<std::uint8_t> out;
            const bool ok = control(node, buf->data, out);
            umockdev_ioctl_data_unref(buf);
            const std::size_t room = static_cast<std::size_t>(urb->buffer_length - 8);
            if (out.size() > room) out.resize(room);
            std::lock_guard lock(mu_);
            pending_[node].push_back({urb_data, std::move(out), ok ? 0 : -EPIPE});
            umockdev_ioctl_client_complete(client, 0, 0);
            return true;
        }
        case USBDEVFS_REAPURB:
        case USBDEVFS_REAPURBNDELAY: {
            std::unique_lock lock(mu_);
            auto& list = pending_[node];
            if (list.empty()) {
                lock.unlock();
                umockdev_ioctl_client_complete(client, -1, EAGAIN);
                return true;
            }
            Pending p = std::move(list.front());
            list.erase(list.begin());
            lock.unlock();
            auto* urb = reinterpret_cast<usbdevfs_urb*>(p.urb->data);
            // Same address space under the preload: write the answer after the setup packet.
            std::memcpy(static_cast<std::uint8_t*>(urb->buffer) + 8, p.data.data(), p.data.size());
            urb->actual_length = static_cast<int>(p.data.size());
            urb->status = p.status;
            UMockdevIoctlData* ptr = umockdev_ioctl_data_resolve(arg, 0, sizeof(gpointer), nullptr);
            umockdev_ioctl_data_set_ptr(ptr, 0, p.urb);
            umockdev_ioctl_data_unref(ptr);
            umockdev_ioctl_data_unref(p.urb);
            umockdev_ioctl_client_complete(client, 0, 0);
            return true;
        }
        case USBDEVFS_DISCARDURB:
            umockdev_ioctl_client_complete(client, -1, EINVAL);
            return true;
        default:
            return false;
    }
}

bool EmulatedBus::control(const std::string& node, const std::uint8_t* s, std::vector<std::uint8_t>& out) {
    Setup setup{node, s[0], s[1], static_cast<std::uint16_t>(s[2] | (s[3] << 8)),
                static_cast<std::uint16_t>(s[4] | (s[5] << 8))};
    std::lock_guard lock(mu_);
    setups_.push_back(setup);
    auto it = by_node_.find(node);
    if (it == by_node_.end()) return false;
    const EmuDevice& d = it->second;
    const std::uint8_t type = static_cast<std::uint8_t>(setup.value >> 8), index = setup.value & 0xff;
    if (setup.request_type == 0x80 && setup.request == 6) {  // standard GET_DESCRIPTOR
        if (type == 1)
            out = device_descriptor(d);
        else if (type == 2)
            out = config_descriptor(d);
        else if (type == 3 && index == 0)
            out = {4, 3, 0x09, 0x04};
        else if (type == 3 && index == 1)
            out = string_descriptor(d.manufacturer);
        else if (type == 3 && index == 2)
            out = string_descriptor(d.product);
        else if (type == 3 && index == 3)
            out = string_descriptor(d.serial);
        else
            return false;
        return true;
    }
    if (d.device_class != 9) return false;
    auto& power = port_power_[node];
    const std::size_t port = setup.index;
    if (setup.request_type == 0xA0 && setup.request == 6 && setup.value == 0x2900) {
        out = {9,
               0x29,
               static_cast<std::uint8_t>(d.hub_ports),
               static_cast<std::uint8_t>(d.hub_characteristics & 0xff),
               static_cast<std::uint8_t>(d.hub_characteristics >> 8),
               50,
               100,
               0,
               0xff};
        return true;
    }
    if (port < 1 || port >= power.size()) return false;
    if (setup.request_type == 0x23 && (setup.request == 3 || setup.request == 1) && setup.value == 8) {
        // Ganged hubs switch all ports together; this model switches only per-port hubs.
        if ((d.hub_characteristics & 3) == 1) power[port] = setup.request == 3;
        return true;
    }
    if (setup.request_type == 0xA3 && setup.request == 0) {
        const std::uint16_t status = power[port] ? 0x0100 : 0;
        out = {static_cast<std::uint8_t>(status & 0xff), static_cast<std::uint8_t>(status >> 8), 0, 0};
        return true;
    }
    return false;
}

// SCSI disk sdX (and partitions) under the mass-storage interface of port_path.
void EmulatedBus::add_disk(const std::string& port_path, int host, const std::string& disk, int minor,
                           const std::vector<std::string>& partitions) {
    const std::string usb = sysfs_path(port_path);
    const std::string intf = usb + "/" + port_path + ":1.0";
    const std::string h = std::to_string(host);
    const std::string sdev = intf + "/host" + h + "/target" + h + ":0:0/" + h + ":0:0:0";
    add_record("P: " + intf + "\nE: SUBSYSTEM=usb\nE: DEVTYPE=usb_interface\nA: bInterfaceClass=08\\n\n");
    add_record("P: " + sdev + "\nE: SUBSYSTEM=scsi\nE: DEVTYPE=scsi_device\n");
    const std::string d = sdev + "/block/" + disk;
    add_record("P: " + d + "\nN: " + disk + "\nE: SUBSYSTEM=block\nE: DEVTYPE=disk\nE: DEVNAME=/dev/" + disk +
               "\nE: MAJOR=8\nE: MINOR=" + std::to_string(minor) + "\nA: dev=8:" + std::to_string(minor) + "\\n\n");
    int n = 1;
    for (const auto& p : partitions) {
        const std::string m = std::to_string(minor + n++);
        add_record("P: " + d + "/" + p + "\nN: " + p + "\nE: SUBSYSTEM=block\nE: DEVTYPE=partition\nE: DEVNAME=/dev/" +
                   p + "\nE: ID_FS_TYPE=vfat\nE: MAJOR=8\nE: MINOR=" + m + "\nA: dev=8:" + m + "\\n\n");
    }
}

}  // namespace dockd::testing
