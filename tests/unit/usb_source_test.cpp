// The usb dock source and hub port power against an emulated bus (umockdev):
// real libusb, real hotplug uevents, real control transfers.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <condition_variable>
#include <future>
#include <thread>

#include "drivers/usb/port_power.hpp"
#include "drivers/usb/usb_dock_source.hpp"
#include "drivers/usb/watched_recorder.hpp"
#include "tests/unit/usb_testbed.hpp"

namespace dockd::drivers::usb {
namespace {

using namespace std::chrono_literals;
using testing::EmuDevice;
using testing::EmulatedBus;

// Stands in for the ums/sdk recorder: these tests are about which bay a
// device lands in, not about what the recorder does.
class PlainRecorder : public Recorder {
public:
    explicit PlainRecorder(bool fail = false) : fail_(fail) {}
    Result<Identity> identify() override { return fail_ ? Result<Identity>(Error{"no answer"}) : Identity{}; }
    Result<std::optional<int>> battery_percent() override { return std::optional<int>(50); }
    Result<StorageInfo> storage() override { return StorageInfo{}; }
    Result<std::optional<DeviceTime>> read_clock() override { return std::optional<DeviceTime>(); }
    Result<void> set_clock(SystemTime) override { return {}; }
    Result<std::vector<MediaEntry>> list_media() override { return std::vector<MediaEntry>{}; }
    Result<std::unique_ptr<MediaReader>> open_media(const MediaEntry&) override { return Error{"none"}; }
    Result<void> remove_media(const MediaEntry&) override { return {}; }

private:
    bool fail_;
};

EmuDevice root_hub() {
    return {"usb1", 1, 0x1d6b, 0x0002, 9, 9, "Linux", "xHCI Host Controller", "0000:00:14.0", 4, 0x0001};
}
EmuDevice hub(std::uint16_t characteristics = 0x0001) {
    return {"1-1", 2, 0x05e3, 0x0610, 9, 9, "GenesysLogic", "USB2.1 Hub", "", 4, characteristics};
}
EmuDevice recorder(const std::string& path, int devnum, const std::string& serial, std::uint16_t pid = 0x0001) {
    return {path, devnum, 0x1234, pid, 0, 8, "ZFY Corp", "DSJ-X1", serial, 0, 0};
}

class UsbSourceTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string why;
        if (!bus.active(why)) GTEST_SKIP() << why;
        bus.add(root_hub());
        auto ctx = UsbContext::create();
        ASSERT_TRUE(ctx) << ctx.error().message;
        usb = std::move(*ctx);
        io_thread = std::thread([this] { io.run(); });
    }
    void TearDown() override {
        if (source) source->stop();
        work.reset();
        io.stop();
        if (io_thread.joinable()) io_thread.join();
        source.reset();
        usb.reset();
    }

    void start_source(int cycle_after = 0) {
        UsbSourceOptions opt;
        opt.ports = {{1, "1-1.1"}, {2, "1-1.2"}, {3, "1-1.3"}};
        const UsbClaim ums{"ums", {{0x1234, 0x0001}, {0x1234, 0x0003}}, 0};
        const UsbClaim sdk{"sdk", {{0x1234, 0x0002}}, 1};
        opt.drivers = {ums, sdk};
        opt.make_recorder = [this](const UsbClaim& d, std::shared_ptr<BaySlot>) {
            std::lock_guard lock(mu);
            types.push_back(d.family);
            return std::make_shared<PlainRecorder>(fail_commands);
        };
        opt.cycle_after_failed_commands = cycle_after;
        opt.unresponsive = [this](int bay) { note("unresponsive " + std::to_string(bay)); };
        source = std::make_unique<UsbDockSource>(io, *usb, opt);
        source->start({[this](int bay, std::shared_ptr<Recorder> r) {
                           recorders[bay] = r;
                           note("arrived " + std::to_string(bay));
                       },
                       [this](int bay) { note("left " + std::to_string(bay)); }});
    }

    void note(const std::string& e) {
        std::lock_guard lock(mu);
        events.push_back(e);
        cv.notify_all();
    }
    // Waits for the n-th event (1-based) and returns it, or "" on timeout.
    std::string event(std::size_t n, std::chrono::milliseconds timeout = 5s) {
        std::unique_lock lock(mu);
        if (!cv.wait_for(lock, timeout, [&] { return events.size() >= n; })) return "";
        return events[n - 1];
    }
    std::size_t event_count() {
        std::lock_guard lock(mu);
        return events.size();
    }

    EmulatedBus bus;
    std::unique_ptr<UsbContext> usb;
    boost::asio::io_context io;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
    std::thread io_thread;
    std::unique_ptr<UsbDockSource> source;
    std::mutex mu;
    std::condition_variable cv;
    std::vector<std::string> events;
    std::vector<std::string> types;
    std::map<int, std::shared_ptr<Recorder>> recorders;  // io thread
    bool fail_commands = false;
};

TEST_F(UsbSourceTest, HubAndTwoRecordersArriveAndLeaveTheirBays) {
    start_source();
    bus.add(hub());
    bus.add(recorder("1-1.1", 5, "ZFY0001"));
    EXPECT_EQ(event(1), "arrived 1");
    bus.add(recorder("1-1.3", 6, "ZFY0003", 0x0002));
    EXPECT_EQ(event(2), "arrived 3");
    auto one = source->slot(1)->current();
    ASSERT_TRUE(one);
    EXPECT_EQ(one->serial, "ZFY0001");  // read from the string descriptor
    EXPECT_EQ(one->manufacturer, "ZFY Corp");
    EXPECT_EQ(one->product, "DSJ-X1");
    {
        std::lock_guard lock(mu);
        EXPECT_EQ(types, (std::vector<std::string>{"ums", "sdk"}));
    }
    bus.remove("1-1.3");
    EXPECT_EQ(event(3), "left 3");
    bus.remove("1-1.1");
    EXPECT_EQ(event(4), "left 1");
    EXPECT_FALSE(source->slot(1)->current());
}

TEST_F(UsbSourceTest, RecordersPresentAtStartArriveByEnumeration) {
    bus.add(hub());
    bus.add(recorder("1-1.2", 5, "ZFY0002"));
    start_source();
    EXPECT_EQ(event(1), "arrived 2");
}

TEST_F(UsbSourceTest, RecorderOnUnmappedPathIsIgnored) {
    start_source();
    bus.add(hub());
    bus.add(recorder("1-1.4", 5, "ZFY0004"));  // no bay on 1-1.4
    bus.add(recorder("1-1.2", 6, "ZFY0002"));
    // Events are handled in order: the mapped one arriving proves the other was seen and skipped.
    EXPECT_EQ(event(1), "arrived 2");
    bus.remove("1-1.4");
    bus.add(recorder("1-1.3", 7, "ZFY0003", 0x0999));  // mapped but matching no driver
    bus.remove("1-1.2");
    EXPECT_EQ(event(2), "left 2");
    EXPECT_EQ(event_count(), 2u);
}

TEST_F(UsbSourceTest, ModeSwitchReEnumerationKeepsTheDocking) {
    start_source();
    bus.add(hub());
    bus.add(recorder("1-1.2", 5, "ZFY0002", 0x0002));  // vendor mode (sdk)
    ASSERT_EQ(event(1), "arrived 2");
    auto slot = source->slot(2);
    slot->expect_reenumeration(5s);  // what the sdk driver does before SetMSDC
    bus.remove("1-1.2");
    bus.add(recorder("1-1.2", 6, "ZFY0002", 0x0003));  // back as mass storage, new address
    auto back = slot->wait_for([](const UsbDeviceInfo& i) { return i.pid == 0x0003; }, 5s);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->address, 6);
    EXPECT_EQ(event_count(), 1u) << "no removal and no second arrival";
    EXPECT_FALSE(slot->reenumeration_expected(std::chrono::steady_clock::now())) << "the window closes once it is back";
    bus.remove("1-1.2");  // now a real removal, reported at once
    EXPECT_EQ(event(2, 1s), "left 2");
}

TEST_F(UsbSourceTest, ModeSwitchThatNeverComesBackIsARemoval) {
    start_source();
    bus.add(hub());
    bus.add(recorder("1-1.1", 5, "ZFY0001"));
    ASSERT_EQ(event(1), "arrived 1");
    source->slot(1)->expect_reenumeration(200ms);
    bus.remove("1-1.1");
    EXPECT_EQ(event(2, 3s), "left 1");
}

TEST_F(UsbSourceTest, RepeatedFailedCommandsAskForAPowerCycleOnce) {
    fail_commands = true;
    start_source(3);
    bus.add(hub());
    bus.add(recorder("1-1.1", 5, "ZFY0001"));
    ASSERT_EQ(event(1), "arrived 1");
    std::shared_ptr<Recorder> rec;
    std::promise<std::shared_ptr<Recorder>> got;
    boost::asio::post(io, [&] { got.set_value(recorders[1]); });
    rec = got.get_future().get();
    for (int i = 0; i < 5; ++i) EXPECT_FALSE(rec->identify());
    EXPECT_EQ(event(2), "unresponsive 1");
    EXPECT_TRUE(rec->battery_percent());  // success resets the count
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(event_count(), 2u);
}

class PortPowerTest : public UsbSourceTest {
protected:
    std::unique_ptr<PortPower> make(int max_charging = 4) {
        const PowerPolicy policy{max_charging, 20ms};
        const std::vector<BayPort> ports{{1, "1-1.1"}, {2, "1-1.2"}};
        return std::make_unique<PortPower>(
            io, *usb, ports, policy,
            [this](int bay, const std::string& action, const std::string& by, const Result<void>& r) {
                note(std::to_string(bay) + " " + action + " " + by + " " + (r ? "ok" : r.error().message));
            });
    }
    // Runs fn on the io thread (PortPower lives there) and waits.
    template <class F>
    auto on_io(F fn) {
        std::promise<decltype(fn())> p;
        boost::asio::post(io, [&] { p.set_value(fn()); });
        return p.get_future().get();
    }
};

bool has(const std::vector<testing::Setup>& s, std::uint8_t type, std::uint8_t req, std::uint16_t value,
         std::uint16_t index) {
    for (const auto& x : s)
        if (x.request_type == type && x.request == req && x.value == value && x.index == index &&
            x.devnode == "/dev/bus/usb/001/002")
            return true;
    return false;
}

TEST_F(PortPowerTest, OffAndOnSendPortPowerFeatureToTheBaysPort) {
    bus.add(hub());
    auto power = make();
    auto off = on_io([&] { return power->power(2, "off", "api"); });
    ASSERT_TRUE(off) << off.error().message;
    const auto s = bus.setups();
    EXPECT_TRUE(has(s, 0xA0, 6, 0x2900, 0)) << "hub descriptor read first";
    EXPECT_TRUE(has(s, 0x23, 1, 8, 2)) << "CLEAR_FEATURE(PORT_POWER) on port 2";
    EXPECT_TRUE(has(s, 0xA3, 0, 0, 2)) << "GET_STATUS confirms";
    EXPECT_FALSE(bus.port_powered("1-1", 2));
    EXPECT_TRUE(bus.port_powered("1-1", 1));
    EXPECT_EQ(event(1), "2 off api ok");
    ASSERT_TRUE(on_io([&] { return power->power(2, "on", "api"); }));
    EXPECT_TRUE(has(bus.setups(), 0x23, 3, 8, 2)) << "SET_FEATURE(PORT_POWER) on port 2";
    EXPECT_TRUE(bus.port_powered("1-1", 2));
}

TEST_F(PortPowerTest, CycleSwitchesOffThenOnAgain) {
    bus.add(hub());
    auto power = make();
    power->cycle_pause = 50ms;
    ASSERT_TRUE(on_io([&] { return power->power(1, "cycle", "recovery"); }));
    EXPECT_EQ(event(1), "1 cycle recovery ok");
    EXPECT_FALSE(bus.port_powered("1-1", 1));
    EXPECT_EQ(event(2), "1 cycle_on recovery ok");
    EXPECT_TRUE(bus.port_powered("1-1", 1));
}

TEST_F(PortPowerTest, HubWithoutPerPortSwitchingIsRefused) {
    bus.add(hub(0x0000));  // ganged power switching
    auto power = make();
    auto r = on_io([&] { return power->power(1, "off", "api"); });
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("does not switch port power per port"), std::string::npos) << r.error().message;
    for (const auto& s : bus.setups()) EXPECT_NE(s.request_type, 0x23) << "no feature request sent to such a hub";
    EXPECT_TRUE(bus.port_powered("1-1", 1));
    EXPECT_NE(event(1).find("1 off api bay 1: hub 1-1 port 1: hub does not switch"), std::string::npos);
}

TEST_F(PortPowerTest, StartUpStaggerKeepsChargingUnderTheCap) {
    bus.add(hub());
    auto power = make(1);
    power->detect_settle = 0ms;
    std::atomic<bool> bay1_charging{true};
    on_io([&] {
        power->start([&](int bay) { return bay == 1 && bay1_charging.load(); });
        return 0;
    });
    EXPECT_EQ(event(1), "1 off start ok");
    EXPECT_EQ(event(2), "2 off start ok");
    EXPECT_EQ(event(3), "1 on stagger ok");
    std::this_thread::sleep_for(150ms);  // several stagger periods
    EXPECT_FALSE(bus.port_powered("1-1", 2)) << "bay 2 waits while bay 1 charges";
    EXPECT_TRUE(on_io([&] { return power->queued(2); }));
    bay1_charging = false;  // bay 1 reached ready_percent
    EXPECT_EQ(event(4), "2 on stagger ok");
    EXPECT_TRUE(bus.port_powered("1-1", 2));
    on_io([&] {
        power->stop();
        return 0;
    });
}

}  // namespace
}  // namespace dockd::drivers::usb
