// The station with a ums driver on an emulated bus: hub ports powered in a
// stagger at start, a recorder reaching its bay, `power` through the hub and
// every power action in the audit chain.
#include "tests/unit/usb_station_fixture.hpp"

namespace dockd::station {
namespace {

using namespace usb_station_fixture;
using namespace std::chrono_literals;

TEST_F(UsbStationTest, PortsArePoweredInAStaggerAndEachActionIsAudited) {
    start();
    const auto db = cfg.station.data_dir / "custody.db";
    ASSERT_TRUE(eventually([&] { return power_events(db).size() >= 4; }));
    auto ev = power_events(db);
    EXPECT_TRUE(contains_all(ev[0], {"\"bay\":1", "\"action\":\"off\"", "\"by\":\"start\"", "\"ok\":true"})) << ev[0];
    EXPECT_TRUE(contains_all(ev[1], {"\"bay\":2", "\"action\":\"off\"", "\"by\":\"start\""})) << ev[1];
    EXPECT_TRUE(contains_all(ev[2], {"\"bay\":1", "\"action\":\"on\"", "\"by\":\"stagger\"", "\"ok\":true"})) << ev[2];
    EXPECT_TRUE(contains_all(ev[3], {"\"bay\":2", "\"action\":\"on\"", "\"by\":\"stagger\""})) << ev[3];
    EXPECT_TRUE(bus.port_powered("1-1", 1));

    auto off = on_io([&] { return station->power(2, "off"); });
    ASSERT_TRUE(off) << off.error().message;
    EXPECT_FALSE(bus.port_powered("1-1", 2));
    ev = power_events(db);
    ASSERT_EQ(ev.size(), 5u);
    EXPECT_TRUE(contains_all(ev[4], {"\"bay\":2", "\"action\":\"off\"", "\"by\":\"api\"", "\"ok\":true"})) << ev[4];
    EXPECT_FALSE(on_io([&] { return station->power(2, "sideways"); }));
    EXPECT_FALSE(on_io([&] { return station->power(9, "on"); }));
}

TEST_F(UsbStationTest, ARecorderReachesItsBayAndLeavesIt) {
    start();
    // The disk's node exists only in the testbed (mount(2) is not emulated,
    // and the name is one no host has): the bay gets as far as mounting the
    // partition libudev found, and says why it cannot go on.
    bus.add({"1-1.1", 5, 0x1234, 0x0001, 0, 8, "ZFY Corp", "DSJ-M1", "ZFY0042", 0, 0});
    bus.add_disk("1-1.1", 6, "sdzz", 0, {"sdzz1"});
    ASSERT_TRUE(eventually([&] { return bay(1).state == bay::BayState::fault; })) << bay::to_string(bay(1).state);
    EXPECT_NE(bay(1).error.find("mount /dev/sdzz1 on " + (dir / "bays" / "1" / "media").string()), std::string::npos)
        << bay(1).error;
    EXPECT_EQ(bay(2).state, bay::BayState::empty);
    bus.remove("1-1.1");
    EXPECT_TRUE(eventually([&] { return bay(1).state == bay::BayState::empty; }));
}

TEST_F(UsbStationTest, ARecorderThatKeepsFailingGetsItsPortCycled) {
    cfg.charge.power_cycle_after_failed_commands = 1;
    start();
    const auto db = cfg.station.data_dir / "custody.db";
    ASSERT_TRUE(eventually([&] { return power_events(db).size() >= 4; }));  // the start-up stagger
    bus.add({"1-1.2", 5, 0x1234, 0x0001, 0, 8, "ZFY Corp", "DSJ-M1", "ZFY0043", 0, 0});
    bus.add_disk("1-1.2", 6, "sdzy", 0, {"sdzy1"});  // mounting fails: the first command fails
    ASSERT_TRUE(eventually([&] { return power_events(db).size() >= 5; }));
    const auto ev = power_events(db);
    EXPECT_TRUE(contains_all(ev[4], {"\"bay\":2", "\"action\":\"cycle\"", "\"by\":\"recovery\"", "\"ok\":true"}))
        << ev[4];
    EXPECT_FALSE(bus.port_powered("1-1", 2)) << "off for the cycle's pause";
}

}  // namespace
}  // namespace dockd::station
