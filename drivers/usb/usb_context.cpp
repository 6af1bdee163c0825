#include "drivers/usb/usb_context.hpp"

#include "daemon/common/log.hpp"

namespace dockd::drivers::usb {

Result<std::unique_ptr<UsbContext>> UsbContext::create() {
    libusb_context* ctx = nullptr;
    if (int rc = libusb_init(&ctx); rc != 0) return Error{"libusb_init: " + usb_error(rc)};
    if (!libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG)) {
        libusb_exit(ctx);
        return Error{"libusb: this platform has no hotplug support"};
    }
    return std::unique_ptr<UsbContext>(new UsbContext(ctx));
}

UsbContext::~UsbContext() {
    stop_events();
    libusb_exit(ctx_);
}

void UsbContext::start_events() {
    if (running_.exchange(true)) return;
    thread_ = std::thread([this] {
        while (running_) {
            timeval tv{1, 0};
            int rc = libusb_handle_events_timeout_completed(ctx_, &tv, nullptr);
            if (rc != 0 && rc != LIBUSB_ERROR_INTERRUPTED) log::warning("libusb event loop: " + usb_error(rc));
        }
    });
}

void UsbContext::stop_events() {
    if (!running_.exchange(false)) return;
    libusb_interrupt_event_handler(ctx_);
    thread_.join();
}

std::string port_path(libusb_device* dev) {
    uint8_t ports[8];
    const int n = libusb_get_port_numbers(dev, ports, sizeof ports);
    const std::string bus = std::to_string(libusb_get_bus_number(dev));
    if (n <= 0) return "usb" + bus;
    std::string out = bus + "-";
    for (int i = 0; i < n; ++i) out += (i ? "." : "") + std::to_string(ports[i]);
    return out;
}

std::string usb_error(int code) {
    return libusb_error_name(code);
}

DeviceRef find_device(libusb_context* ctx, const std::string& path) {
    libusb_device** list = nullptr;
    const ssize_t n = libusb_get_device_list(ctx, &list);
    DeviceRef found;
    for (ssize_t i = 0; i < n && !found; ++i)
        if (port_path(list[i]) == path) found.reset(libusb_ref_device(list[i]));
    if (n >= 0) libusb_free_device_list(list, 1);
    return found;
}

}  // namespace dockd::drivers::usb
