// UsbDockSource: libusb hotplug (with LIBUSB_HOTPLUG_ENUMERATE, so recorders
// already plugged in at start arrive the same way) -> bays by port path ->
// drivers by VID/PID (DESIGN §6). libusb callbacks only queue; a worker
// thread reads descriptor strings (blocking control transfers are not allowed
// inside hotplug callbacks) and posts arrivals and removals to the io_context.
#pragma once

#include <boost/asio/io_context.hpp>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "drivers/dock_source.hpp"
#include "drivers/usb/bay_slot.hpp"
#include "drivers/usb/usb_context.hpp"
#include "drivers/usb/usb_options.hpp"

namespace dockd::drivers::usb {

// Builds the recorder for a device a driver claimed (ums, sdk). Runs on the
// source's worker thread; must not block on the device.
using RecorderFactory = std::function<std::shared_ptr<Recorder>(const UsbClaim&, std::shared_ptr<BaySlot>)>;

struct UsbSourceOptions {
    std::vector<BayPort> ports;
    std::vector<UsbClaim> drivers;  // ums and sdk entries, in config order
    RecorderFactory make_recorder;
    // After this many failed recorder commands in a row (0 = never) ...
    int cycle_after_failed_commands = 0;
    // ... this is called on the io_context (the station power-cycles the port).
    std::function<void(int bay)> unresponsive;
};

class UsbDockSource : public DockSource {
public:
    UsbDockSource(boost::asio::io_context& io, UsbContext& usb, UsbSourceOptions options);
    ~UsbDockSource() override;

    void start(Callbacks cb) override;
    void stop() override;
    std::shared_ptr<BaySlot> slot(int bay) const;

private:
    struct Event {
        bool arrived = false;
        UsbDeviceInfo info;
        DeviceRef dev;
    };
    static int LIBUSB_CALL on_hotplug(libusb_context*, libusb_device*, libusb_hotplug_event, void*);
    void work();
    void arrive(Event& e);
    void leave(const Event& e);
    const UsbClaim* driver_for(const UsbDeviceInfo& info) const;
    void read_strings(libusb_device* dev, UsbDeviceInfo& info);
    void log_once(const std::string& key, const std::string& message);
    bool is_reported(int bay);
    void post_left(int bay);  // worker thread or io_context

    boost::asio::io_context& io_;
    UsbContext& usb_;
    UsbSourceOptions opt_;
    std::map<std::string, int> bay_of_path_;
    std::map<int, std::shared_ptr<BaySlot>> slots_;
    Callbacks cb_;
    libusb_hotplug_callback_handle hotplug_ = 0;
    bool registered_ = false;

    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Event> queue_;
    bool running_ = false;
    std::thread worker_;
    std::set<int> reported_;  // bays whose arrival was posted (under mu_)
    // Worker thread only.
    std::set<std::string> logged_;
    std::map<std::string, UsbDeviceInfo> present_;  // by port path
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace dockd::drivers::usb
