// The station on an emulated USB bus (umockdev): a fixture shared by the
// station-level USB tests.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <filesystem>
#include <future>
#include <thread>

#include "daemon/station/station.hpp"
#include "tests/unit/usb_testbed.hpp"

namespace dockd::station {
namespace usb_station_fixture {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::EmuDevice;
using testing::EmulatedBus;

inline std::vector<std::string> power_events(const fs::path& db_path) {
    std::vector<std::string> out;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        return out;
    }
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "SELECT payload FROM audit WHERE kind = 'power' ORDER BY seq", -1, &st, nullptr);
    while (st && sqlite3_step(st) == SQLITE_ROW)
        out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

inline bool contains_all(const std::string& s, std::initializer_list<const char*> parts) {
    for (const char* p : parts)
        if (s.find(p) == std::string::npos) return false;
    return true;
}

class UsbStationTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string why;
        if (!bus.active(why)) GTEST_SKIP() << why;
        dir = fs::temp_directory_path() / ("dockd-usbst-" + std::to_string(::getpid()) + "-" +
                                           ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir);
        cfg.source = dir / "dockd.yaml";
        cfg.station.id = "ST-USB";
        cfg.station.data_dir = dir / "data";
        cfg.station.staging_dir = dir / "data" / "staging";
        cfg.station.media_dir = dir / "bays";
        cfg.ports = {{1, "1-1.1", 0}, {2, "1-1.2", 0}};
        config::DriverConfig ums;
        ums.type = config::DriverType::ums;
        ums.match = {{0x1234, 0x0001}};
        cfg.drivers = {ums};
        cfg.charge.power_on_stagger = 10ms;
        bus.add({"usb1", 1, 0x1d6b, 2, 9, 9, "Linux", "root", "", 4, 1});
        bus.add({"1-1", 2, 0x05e3, 0x0610, 9, 9, "Hub", "Hub", "", 4, 1});
    }
    void TearDown() override {
        if (station) {
            std::promise<void> done;
            boost::asio::post(io, [&] { station->stop([&] { done.set_value(); }); });
            done.get_future().wait_for(10s);
        }
        work.reset();
        io.stop();
        if (runner.joinable()) runner.join();
        station.reset();
        fs::remove_all(dir);
    }
    void start() {
        live = std::make_unique<config::LiveConfig>(cfg);
        station = std::make_unique<Station>(io, *live);
        auto r = station->open();
        ASSERT_TRUE(r) << r.error().message;
        station->start();
        runner = std::thread([this] { io.run(); });
    }
    template <class F>
    auto on_io(F fn) {
        std::promise<decltype(fn())> p;
        boost::asio::post(io, [&] { p.set_value(fn()); });
        return p.get_future().get();
    }
    bay::BayStatus bay(int id) {
        return on_io([&] {
            for (const auto& b : station->bays())
                if (b.id == id) return b;
            return bay::BayStatus{};
        });
    }
    template <class P>
    bool eventually(P pred, std::chrono::milliseconds timeout = 5s) {
        const auto end = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < end) {
            if (pred()) return true;
            std::this_thread::sleep_for(20ms);
        }
        return pred();
    }

    EmulatedBus bus;
    fs::path dir;
    config::Config cfg;  // set before start(), which makes it the config in force
    std::unique_ptr<config::LiveConfig> live;
    boost::asio::io_context io;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
    std::unique_ptr<Station> station;
    std::thread runner;
};

}  // namespace usb_station_fixture
}  // namespace dockd::station
