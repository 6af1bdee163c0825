#include "drivers/usb/usb_dock_source.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>

#include "daemon/common/log.hpp"
#include "drivers/usb/watched_recorder.hpp"

namespace dockd::drivers::usb {
namespace asio = boost::asio;

namespace {
std::string vid_pid(const UsbDeviceInfo& i) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04x:%04x", i.vid, i.pid);
    return buf;
}
}  // namespace

UsbDockSource::UsbDockSource(asio::io_context& io, UsbContext& usb, UsbSourceOptions options)
    : io_(io), usb_(usb), opt_(std::move(options)) {
    for (const auto& p : opt_.ports) {
        bay_of_path_[p.usb_path] = p.bay;
        slots_[p.bay] = std::make_shared<BaySlot>(p.bay);
    }
}

UsbDockSource::~UsbDockSource() {
    UsbDockSource::stop();
}

std::shared_ptr<BaySlot> UsbDockSource::slot(int bay) const {
    auto it = slots_.find(bay);
    return it == slots_.end() ? nullptr : it->second;
}

void UsbDockSource::start(Callbacks cb) {
    cb_ = std::move(cb);
    {
        std::lock_guard lock(mu_);
        running_ = true;
    }
    worker_ = std::thread([this] { work(); });
    // ENUMERATE: devices present now arrive through the same callback first.
    const int rc = libusb_hotplug_register_callback(
        usb_.get(), LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT, LIBUSB_HOTPLUG_ENUMERATE,
        LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY, &UsbDockSource::on_hotplug, this,
        &hotplug_);
    if (rc != LIBUSB_SUCCESS) {
        log::error("usb: cannot watch for recorders: libusb_hotplug_register_callback: " + usb_error(rc));
        return;
    }
    registered_ = true;
    usb_.start_events();
}

void UsbDockSource::stop() {
    *alive_ = false;
    if (registered_) {
        libusb_hotplug_deregister_callback(usb_.get(), hotplug_);
        registered_ = false;
    }
    {
        std::lock_guard lock(mu_);
        if (!running_) return;
        running_ = false;
    }
    cv_.notify_all();
    if (worker_.joinable()) worker_.join();
}

// libusb event thread: only cached descriptor reads here, then queue.
int LIBUSB_CALL UsbDockSource::on_hotplug(libusb_context*, libusb_device* dev, libusb_hotplug_event event,
                                          void* self_ptr) {
    auto* self = static_cast<UsbDockSource*>(self_ptr);
    Event e;
    e.arrived = event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED;
    e.info.port_path = port_path(dev);
    e.info.bus = libusb_get_bus_number(dev);
    e.info.address = libusb_get_device_address(dev);
    libusb_device_descriptor dd{};
    if (libusb_get_device_descriptor(dev, &dd) == 0) {
        e.info.vid = dd.idVendor;
        e.info.pid = dd.idProduct;
        e.info.bcd_device = dd.bcdDevice;
        e.info.device_class = dd.bDeviceClass;
    }
    if (e.arrived) e.dev.reset(libusb_ref_device(dev));
    {
        std::lock_guard lock(self->mu_);
        if (!self->running_) return 0;
        self->queue_.push_back(std::move(e));
    }
    self->cv_.notify_one();
    return 0;  // stay registered
}

void UsbDockSource::work() {
    for (;;) {
        Event e;
        {
            std::unique_lock lock(mu_);
            cv_.wait(lock, [&] { return !running_ || !queue_.empty(); });
            if (!running_) return;
            e = std::move(queue_.front());
            queue_.pop_front();
        }
        if (e.arrived)
            arrive(e);
        else
            leave(e);
    }
}

void UsbDockSource::log_once(const std::string& key, const std::string& message) {
    if (logged_.insert(key).second) log::warning(message);
}

const UsbClaim* UsbDockSource::driver_for(const UsbDeviceInfo& info) const {
    for (const auto& d : opt_.drivers)
        for (const auto& m : d.match)
            if (m.vid == info.vid && m.pid == info.pid) return &d;
    return nullptr;
}

void UsbDockSource::read_strings(libusb_device* dev, UsbDeviceInfo& info) {
    libusb_device_descriptor dd{};
    if (libusb_get_device_descriptor(dev, &dd) != 0) return;
    libusb_device_handle* raw = nullptr;
    if (int rc = libusb_open(dev, &raw); rc != 0) {
        log::warning("usb " + info.port_path + ": open for descriptor strings: " + usb_error(rc));
        return;
    }
    UniqueHandle h(raw);
    auto read = [&](uint8_t index, std::string& out) {
        if (!index) return;
        unsigned char buf[256];
        int n = libusb_get_string_descriptor_ascii(h.get(), index, buf, sizeof buf);
        if (n > 0)
            out.assign(reinterpret_cast<char*>(buf), static_cast<std::size_t>(n));
        else
            log::warning("usb " + info.port_path + ": string descriptor " + std::to_string(index) + ": " +
                         usb_error(n));
    };
    read(dd.iSerialNumber, info.serial);
    read(dd.iManufacturer, info.manufacturer);
    read(dd.iProduct, info.product);
}

void UsbDockSource::arrive(Event& e) {
    auto& info = e.info;
    present_[info.port_path] = info;
    auto it = bay_of_path_.find(info.port_path);
    if (it == bay_of_path_.end()) {
        if (info.device_class != LIBUSB_CLASS_HUB)
            log_once("path " + info.port_path,
                     "usb: device " + vid_pid(info) + " on " + info.port_path + " is on no configured port; ignored");
        return;
    }
    const int bay = it->second;
    auto slot = slots_.at(bay);
    const auto now = std::chrono::steady_clock::now();
    const bool reenumerated = is_reported(bay) && !slot->current() && slot->reenumeration_expected(now);
    if (!reenumerated && info.device_class == LIBUSB_CLASS_HUB) return;
    read_strings(e.dev.get(), info);
    for (const auto& [path, other] : present_)
        if (path != info.port_path && other.vid == info.vid && other.pid == info.pid &&
            std::pair(other.bus, other.address) < std::pair(info.bus, info.address))
            ++info.usb_index;
    if (reenumerated) {
        // Mode switch (vendor -> mass storage) or a power cycle the recorder
        // asked for: same bay, same docking.
        log::info("bay " + std::to_string(bay) + ": recorder re-enumerated as " + vid_pid(info) + "; docking kept");
        slot->expect_reenumeration(std::chrono::milliseconds(0));  // back: a later vanishing is a removal
        slot->set(info);
        return;
    }
    if (is_reported(bay)) return;  // already docked; a duplicate event
    const auto* driver = driver_for(info);
    if (!driver) {
        log_once("bay " + std::to_string(bay) + " " + vid_pid(info), "bay " + std::to_string(bay) + ": device " +
                                                                         vid_pid(info) + " (" + info.product +
                                                                         ") matches no driver; ignored");
        return;
    }
    slot->set(info);
    std::shared_ptr<Recorder> rec = opt_.make_recorder(*driver, slot);
    if (!rec) return;
    if (opt_.cycle_after_failed_commands > 0) {
        auto alive = alive_;
        auto notify = [this, alive](int b) {
            asio::post(io_, [this, alive, b] {
                if (*alive && opt_.unresponsive) opt_.unresponsive(b);
            });
        };
        rec = std::make_shared<WatchedRecorder>(rec, slot, opt_.cycle_after_failed_commands, notify);
    }
    {
        std::lock_guard lock(mu_);
        reported_.insert(bay);
    }
    log::info("bay " + std::to_string(bay) + ": " + vid_pid(info) + " " + info.manufacturer + " " + info.product +
              " serial " + info.serial + " (" + driver->family + ")");
    asio::post(io_, [this, alive = alive_, bay, rec] {
        if (*alive && cb_.arrived) cb_.arrived(bay, rec);
    });
}

void UsbDockSource::leave(const Event& e) {
    present_.erase(e.info.port_path);
    auto it = bay_of_path_.find(e.info.port_path);
    if (it == bay_of_path_.end()) return;
    const int bay = it->second;
    auto slot = slots_.at(bay);
    auto cur = slot->current();
    if (!cur || cur->bus != e.info.bus || cur->address != e.info.address) return;  // not what the bay holds
    slot->clear();
    if (!is_reported(bay)) return;
    const auto deadline = slot->reenumeration_deadline();
    auto report = [this, bay, slot] {
        if (slot->current()) return;  // came back in time
        post_left(bay);
    };
    if (slot->reenumeration_expected(std::chrono::steady_clock::now())) {
        auto timer = std::make_shared<asio::steady_timer>(io_, deadline);
        timer->async_wait([timer, alive = alive_, report](boost::system::error_code ec) {
            if (!ec && *alive) report();
        });
        return;
    }
    post_left(bay);
}

bool UsbDockSource::is_reported(int bay) {
    std::lock_guard lock(mu_);
    return reported_.count(bay) > 0;
}

void UsbDockSource::post_left(int bay) {
    {
        std::lock_guard lock(mu_);
        if (!running_ || !reported_.erase(bay)) return;
    }
    asio::post(io_, [this, alive = alive_, bay] {
        if (*alive && cb_.left) cb_.left(bay);
    });
}

}  // namespace dockd::drivers::usb
