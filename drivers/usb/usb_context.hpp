// One libusb context per station with its own event thread.
//
// Why a thread and not pollfd integration: libusb runs hotplug callbacks and
// completes transfers only inside libusb_handle_events*, and its pollfd set
// changes as devices come and go (libusb_set_pollfd_notifiers); a dedicated
// thread is the pattern libusb documents for that ("Using an event handling
// thread"). Nothing runs on it but libusb: callbacks only queue work, and the
// drivers hand results to the station's io_context with asio::post.
#pragma once

#include <libusb-1.0/libusb.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "daemon/common/result.hpp"

namespace dockd::drivers::usb {

class UsbContext {
public:
    static Result<std::unique_ptr<UsbContext>> create();
    ~UsbContext();
    UsbContext(const UsbContext&) = delete;
    UsbContext& operator=(const UsbContext&) = delete;

    libusb_context* get() const { return ctx_; }
    void start_events();  // idempotent
    void stop_events();   // joins the event thread

private:
    explicit UsbContext(libusb_context* ctx) : ctx_(ctx) {}
    libusb_context* ctx_;
    std::atomic<bool> running_{false};
    std::thread thread_;
};

// "1-1.4" as in /sys/bus/usb/devices: bus, '-', port numbers joined by '.'.
// Root hubs (no port numbers) give "usb1".
std::string port_path(libusb_device* dev);

// libusb error names for messages: "LIBUSB_ERROR_PIPE".
std::string usb_error(int code);

struct DeviceUnref {
    void operator()(libusb_device* d) const { libusb_unref_device(d); }
};
using DeviceRef = std::unique_ptr<libusb_device, DeviceUnref>;
struct HandleClose {
    void operator()(libusb_device_handle* h) const { libusb_close(h); }
};
using UniqueHandle = std::unique_ptr<libusb_device_handle, HandleClose>;

// The device at a port path ("1-1", or "usb1" for a root hub), referenced.
DeviceRef find_device(libusb_context* ctx, const std::string& path);

}  // namespace dockd::drivers::usb
