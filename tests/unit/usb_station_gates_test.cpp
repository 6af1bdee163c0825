// Issue 9 at the USB level, on an emulated bus (umockdev): the charging cap
// holds for recorders docked later, a stalled copy gets its hub port
// power-cycled once, and a vendor library is called in the GA/T 947 order.
#include <fstream>
#include <sstream>

#include "tests/unit/usb_station_fixture.hpp"

namespace dockd::station {
namespace {

using namespace usb_station_fixture;
using namespace std::chrono_literals;

std::size_t count_matching(const std::vector<std::string>& events, std::initializer_list<const char*> parts) {
    std::size_t n = 0;
    for (const auto& e : events) n += contains_all(e, parts) ? 1 : 0;
    return n;
}

TEST_F(UsbStationTest, TheChargingCapHoldsForRecordersDockedLater) {
    cfg.charge.max_concurrent_charging = 1;
    start();
    const auto db = cfg.station.data_dir / "custody.db";
    // Start-up: both ports powered in turn, the second once the first proved empty.
    ASSERT_TRUE(eventually([&] { return bus.port_powered("1-1", 1) && bus.port_powered("1-1", 2); }, 10s));
    std::this_thread::sleep_for(3500ms);  // a just-powered port counts as charging until it proved empty
    bus.add({"1-1.1", 5, 0x1234, 0x0001, 0, 8, "ZFY Corp", "DSJ-M1", "ZFY0051", 0, 0});
    bus.add_disk("1-1.1", 6, "sdzx", 0, {"sdzx1"});
    // Mounting fails in the testbed: the bay holds an uncharged recorder (battery unknown).
    ASSERT_TRUE(eventually([&] { return bay(1).state == bay::BayState::fault; }));
    bus.add({"1-1.2", 7, 0x1234, 0x0001, 0, 8, "ZFY Corp", "DSJ-M1", "ZFY0052", 0, 0});
    ASSERT_TRUE(eventually([&] { return !bus.port_powered("1-1", 2); })) << "over the cap: switched off";
    EXPECT_EQ(count_matching(power_events(db), {"\"bay\":2", "\"action\":\"off\"", "\"by\":\"charge_cap\""}), 1u);
    EXPECT_EQ(bay(2).state, bay::BayState::empty) << "waits its turn unserved";
    bus.remove("1-1.1");
    ASSERT_TRUE(eventually([&] { return bus.port_powered("1-1", 2); }, 10s)) << "powered once a slot freed";
}

TEST_F(UsbStationTest, AStalledCopyGetsItsPortPowerCycledOncePerDocking) {
    // A simulated recorder in a bay that sits on a switchable hub port.
    const auto bays_dir = dir / "sim";
    fs::create_directories(bays_dir);
    config::DriverConfig sim;
    sim.type = config::DriverType::sim;
    sim.bays_dir = bays_dir;
    cfg.drivers.push_back(sim);
    cfg.charge.stall_power_cycle_after = 1s;
    start();
    const auto db = cfg.station.data_dir / "custody.db";
    ASSERT_TRUE(eventually([&] { return power_events(db).size() >= 4; }, 10s));
    const auto staged = dir / "incoming";
    fs::create_directories(staged / "media");
    std::ofstream(staged / "device.json") << R"({"serial": "SIM0061", "faults": {"stall_after_bytes": 1000}})";
    std::ofstream(staged / "media" / "a.mp4") << std::string(1 << 20, 'a');
    fs::rename(staged, bays_dir / "1");
    const std::initializer_list<const char*> cycle{"\"bay\":1", "\"action\":\"cycle\"", "\"by\":\"stall\""};
    ASSERT_TRUE(eventually([&] { return count_matching(power_events(db), cycle) == 1; }, 15s));
    EXPECT_FALSE(bus.port_powered("1-1", 1)) << "off for the cycle's pause";
    EXPECT_TRUE(eventually([&] { return bus.port_powered("1-1", 1); }, 5s)) << "and on again";
    std::this_thread::sleep_for(5s);  // still stalled: no second cycle in this docking
    EXPECT_EQ(count_matching(power_events(db), cycle), 1u);
    fs::remove_all(bays_dir / "1");  // taken out: the stalled read ends
}

TEST_F(UsbStationTest, AVendorLibraryIsCalledInTheStandardsOrder) {
    const auto vendor = dir / "vendor";
    fs::create_directories(vendor);
    ::setenv("DOCKD_TEST_VENDOR_DIR", vendor.c_str(), 1);
    std::ofstream(vendor / "password") << "s3cret\n";
    std::ofstream(vendor / "battery") << "55";
    std::string zfy = std::string("ZFY0071") + "004213" + std::string(32 + 12 + 32, '\0');
    zfy.replace(13, 4, "Wang");
    std::ofstream(vendor / "zfy.bin", std::ios::binary) << zfy;
    std::ofstream(dir / "pw") << "s3cret\n";
    ::chmod((dir / "pw").c_str(), 0600);
    config::DriverConfig sdk;
    sdk.type = config::DriverType::sdk;
    sdk.match = {{0x1234, 0x0002}};
    sdk.library = DOCKD_TEST_VENDOR;
    sdk.password_file = dir / "pw";
    sdk.call_timeout = 3000ms;
    cfg.drivers = {sdk};
    start();
    // The officer assigned at the station differs from the recorder's own record.
    station->store().assign("ZFY0071", {"007001", "Wang Wu", "", ""}, "manual");
    bus.add({"1-1.1", 5, 0x1234, 0x0002, 0, 0xff, "ZFY Corp", "DSJ-X1", "SDK1", 0, 0});
    // SetMSDC: the recorder leaves and comes back as mass storage.
    ASSERT_TRUE(eventually([&] { return fs::exists(vendor / "msdc"); }, 15s));
    bus.remove("1-1.1");
    bus.add({"1-1.1", 6, 0x1234, 0x0003, 0, 8, "ZFY Corp", "DSJ-X1", "SDK1", 0, 0});
    bus.add_disk("1-1.1", 7, "sdzw", 0, {"sdzw1"});
    ASSERT_TRUE(eventually([&] { return bay(1).state == bay::BayState::fault; }, 15s)) << bay(1).error;
    std::ifstream in(vendor / "calls");
    std::vector<std::string> calls;
    for (std::string line; std::getline(in, line);) calls.push_back(line);
    EXPECT_EQ(calls, (std::vector<std::string>{"Init_Device", "GetZFYInfo", "ReadDeviceBatteryDumpEnergy",
                                               "WriteZFYInfo", "SyncDevTime", "SetMSDC", "UnInit_Device"}));
    std::ifstream written(vendor / "written.bin", std::ios::binary);
    std::string block((std::istreambuf_iterator<char>(written)), {});
    ASSERT_GE(block.size(), 13u);
    EXPECT_EQ(block.substr(0, 13), "ZFY0071007001") << "the assigned officer, in the recorder's own record";
    EXPECT_EQ(bay(1).clock_set, "unconfirmed") << "SyncDevTime set it; nothing can read it back";
    ::unsetenv("DOCKD_TEST_VENDOR_DIR");
}

}  // namespace
}  // namespace dockd::station
