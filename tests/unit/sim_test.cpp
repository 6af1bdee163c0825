// Simulated recorders (DESIGN §6) against real directories: bays appear and
// vanish by rename/rm, device.json drives identity and faults, media/ is
// walked without following symlinks.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include "drivers/sim/bay_watcher.hpp"
#include "drivers/sim/sim_recorder.hpp"
#include "tests/unit/support.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using dockd::drivers::EntryKind;
using dockd::drivers::MediaEntry;
using dockd::drivers::Recorder;
using dockd::drivers::sim::SimDockSource;
using dockd::drivers::sim::SimRecorder;

namespace {

class TempDir : public dockd::test_support::TempDir {
public:
    TempDir() : dockd::test_support::TempDir("sim") {}
};

void write_text(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

std::string read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

std::string pattern(std::size_t size) {
    std::string s(size, '\0');
    std::mt19937 rng(42);
    for (auto& c : s) c = static_cast<char>(rng());
    return s;
}

// A recorder directory with device.json and media files (path -> content).
fs::path make_recorder(const fs::path& dir, const std::string& device_json,
                       const std::map<std::string, std::string>& files = {}) {
    fs::create_directories(dir / "media");
    write_text(dir / "device.json", device_json);
    for (const auto& [path, content] : files) write_text(dir / "media" / path, content);
    return dir;
}

// Reads until end, error or max_bytes; returns bytes read and the error if any.
struct ReadOutcome {
    std::string data;
    std::optional<dockd::Error> error;
};
ReadOutcome read_all(dockd::drivers::MediaReader& r, std::size_t chunk, std::size_t max_bytes = SIZE_MAX) {
    ReadOutcome out;
    std::vector<std::byte> buf(chunk);
    while (out.data.size() < max_bytes) {
        auto n = r.read(buf);
        if (!n) {
            out.error = n.error();
            break;
        }
        if (*n == 0) break;
        out.data.append(reinterpret_cast<const char*>(buf.data()), *n);
    }
    return out;
}

MediaEntry entry_for(Recorder& rec, const std::string& path) {
    auto list = rec.list_media();
    EXPECT_TRUE(list.ok()) << list.error().message;
    for (const auto& e : *list) {
        if (e.device_path == path) return e;
    }
    ADD_FAILURE() << "no entry " << path;
    return {};
}

// An entry the device did not list (forged paths).
MediaEntry entry_at(const std::string& path) {
    MediaEntry e;
    e.device_path = path;
    return e;
}

// Runs the io_context until pred holds or 5 s pass.
template <class Pred>
bool run_until(boost::asio::io_context& io, Pred pred) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!pred() && std::chrono::steady_clock::now() < deadline) {
        io.restart();
        io.run_for(20ms);
    }
    return pred();
}

struct Events {
    std::vector<std::string> log;  // "+3", "-3"
    std::map<int, std::shared_ptr<Recorder>> recorders;

    SimDockSource::Callbacks callbacks() {
        return {[this](int bay, std::shared_ptr<Recorder> r) {
                    log.push_back("+" + std::to_string(bay));
                    recorders[bay] = std::move(r);
                },
                [this](int bay) { log.push_back("-" + std::to_string(bay)); }};
    }
};

const std::string basic_json = R"({"serial": "ZFY0001"})";

}  // namespace

// --- dock source ---------------------------------------------------------------

TEST(SimDockSource, ReportsRecordersPresentAtStartAndIgnoresOtherNames) {
    TempDir t;
    make_recorder(t.path() / "1", basic_json);
    make_recorder(t.path() / "3", R"({"serial": "ZFY0003"})");
    make_recorder(t.path() / "17", basic_json);
    make_recorder(t.path() / ".incoming-2-abc", basic_json);
    boost::asio::io_context io;
    SimDockSource source(io, t.path(), {1, 2, 3, 4});
    Events ev;
    source.start(ev.callbacks());
    ASSERT_TRUE(run_until(io, [&] { return ev.log.size() >= 2; }));
    io.restart();
    io.run_for(100ms);  // nothing else may come
    EXPECT_EQ(ev.log, (std::vector<std::string>{"+1", "+3"}));
    auto id = ev.recorders.at(3)->identify();
    ASSERT_TRUE(id.ok()) << id.error().message;
    EXPECT_EQ(id->serial, "ZFY0003");
}

TEST(SimDockSource, RenameInIsArrivalRenameAwayAndRmAreRemoval) {
    TempDir t;
    const auto bays = t.path() / "bays";  // created by the source
    boost::asio::io_context io;
    SimDockSource source(io, bays, {1, 2});
    Events ev;
    source.start(ev.callbacks());
    ASSERT_TRUE(fs::is_directory(bays));

    make_recorder(bays / ".incoming-2-x", basic_json);
    fs::rename(bays / ".incoming-2-x", bays / "2");
    ASSERT_TRUE(run_until(io, [&] { return ev.log.size() == 1; }));
    EXPECT_EQ(ev.log.back(), "+2");

    fs::rename(bays / "2", bays / ".removed-2-x");
    ASSERT_TRUE(run_until(io, [&] { return ev.log.size() == 2; }));
    EXPECT_EQ(ev.log.back(), "-2");

    make_recorder(t.path() / "staging", basic_json, {{"DCIM/a.mp4", "abc"}});
    fs::rename(t.path() / "staging", bays / "1");
    ASSERT_TRUE(run_until(io, [&] { return ev.log.size() == 3; }));
    EXPECT_EQ(ev.log.back(), "+1");
    fs::remove_all(bays / "1");
    ASSERT_TRUE(run_until(io, [&] { return ev.log.size() == 4; }));
    EXPECT_EQ(ev.log.back(), "-1");
}

TEST(SimDockSource, IgnoresDirectoriesThatAreNotConfiguredBays) {
    TempDir t;
    boost::asio::io_context io;
    SimDockSource source(io, t.path(), {1, 2, 3, 4});
    Events ev;
    source.start(ev.callbacks());
    for (const char* name : {"17", ".incoming-3-abc", "03", "x"}) make_recorder(t.path() / name, basic_json);
    make_recorder(t.path() / "4", basic_json);
    ASSERT_TRUE(run_until(io, [&] { return !ev.log.empty(); }));
    EXPECT_EQ(ev.log, (std::vector<std::string>{"+4"}));
}

TEST(SimDockSource, MalformedDeviceJsonStillArrivesAndIdentifyNamesTheField) {
    TempDir t;
    boost::asio::io_context io;
    SimDockSource source(io, t.path(), {3, 4});
    Events ev;
    source.start(ev.callbacks());
    make_recorder(t.path() / "s3", "{\"serial\": \"ZFY3\",\n \"battery_percent\": \"full\"}");
    fs::rename(t.path() / "s3", t.path() / "3");
    fs::create_directories(t.path() / "s4" / "media");  // no device.json at all
    fs::rename(t.path() / "s4", t.path() / "4");
    ASSERT_TRUE(run_until(io, [&] { return ev.recorders.size() == 2; }));

    auto id = ev.recorders.at(3)->identify();
    ASSERT_FALSE(id.ok());
    EXPECT_EQ(id.error().message, "bay 3: device.json: line 2: expected number for battery_percent");
    auto missing = ev.recorders.at(4)->identify();
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message.find("bay 4: device.json: open"), std::string::npos) << missing.error().message;
    EXPECT_EQ(missing.error().sys_errno, ENOENT);
}

// --- device.json ---------------------------------------------------------------

TEST(SimRecorder, MissingSerialAndWrongTypesAreErrorsNamingTheField) {
    TempDir t;
    SimRecorder rec(1, make_recorder(t.path() / "1", R"({"vendor": "X"})"));
    auto id = rec.identify();
    ASSERT_FALSE(id.ok());
    EXPECT_NE(id.error().message.find("missing serial"), std::string::npos) << id.error().message;

    write_text(t.path() / "1" / "device.json",
               "{\"serial\": \"S\",\n\"faults\": {\n  \"io_error\": [{\"path\": \"a\", \"offset\": -1}]}}");
    id = rec.identify();
    ASSERT_FALSE(id.ok());
    EXPECT_EQ(id.error().message,
              "bay 1: device.json: line 3: expected non-negative integer for faults.io_error[0].offset");

    write_text(t.path() / "1" / "device.json", "{\"serial\": \"S\",\n\n \"model\": [1,,2]}");
    id = rec.identify();
    ASSERT_FALSE(id.ok());
    EXPECT_NE(id.error().message.find("device.json: line 3: "), std::string::npos) << id.error().message;
}

TEST(SimRecorder, DefaultsWhenOnlySerialIsGiven) {
    TempDir t;
    SimRecorder rec(1, make_recorder(t.path() / "1", basic_json, {{"a.mp4", std::string(1000, 'x')}}));
    auto id = rec.identify();
    ASSERT_TRUE(id.ok()) << id.error().message;
    EXPECT_EQ(id->serial, "ZFY0001");
    EXPECT_EQ(id->vendor, "Sim");
    EXPECT_EQ(id->model, "S1");
    EXPECT_EQ(id->firmware, "1.0");
    EXPECT_FALSE(id->officer);
    EXPECT_EQ(*rec.battery_percent(), 100);
    auto st = rec.storage();
    ASSERT_TRUE(st.ok());
    EXPECT_EQ(st->total_bytes, 64ULL << 30);
    EXPECT_EQ(st->free_bytes, (64ULL << 30) - 1000);
    auto clock = rec.read_clock();
    ASSERT_TRUE(clock.ok() && *clock);
    EXPECT_LT(std::chrono::abs(**clock - std::chrono::system_clock::now()), 2s);
}

TEST(SimRecorder, IdentityCarriesOfficerAndStorageFreeSaturates) {
    TempDir t;
    SimRecorder rec(1, make_recorder(t.path() / "1", R"({"serial": "S", "vendor": "V", "model": "M",
        "firmware": "2.1", "officer": {"no": "004213", "name": "张三", "unit_no": "410402", "unit_name": "U"},
        "storage_total_bytes": 500})",
                                     {{"a.mp4", std::string(1000, 'x')}}));
    auto id = rec.identify();
    ASSERT_TRUE(id.ok()) << id.error().message;
    ASSERT_TRUE(id->officer);
    EXPECT_EQ(id->officer->no, "004213");
    EXPECT_EQ(id->officer->name, "张三");
    EXPECT_EQ(id->officer->unit_no, "410402");
    EXPECT_EQ(id->model, "M");
    auto st = rec.storage();
    ASSERT_TRUE(st.ok());
    EXPECT_EQ(st->total_bytes, 500u);
    EXPECT_EQ(st->free_bytes, 0u);
}

TEST(SimRecorder, BatteryChargesFromDockingTimeAndCapsAt100) {
    TempDir t;
    // 600 %/min = 10 % per second.
    SimRecorder rec(
        1, make_recorder(t.path() / "1", R"({"serial": "S", "battery_percent": 35, "charge_percent_per_min": 600})"));
    auto first = rec.battery_percent();
    ASSERT_TRUE(first.ok());
    EXPECT_GE(*first, 35);
    EXPECT_LT(*first, 45);
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (*rec.battery_percent() < 37 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(20ms);
    EXPECT_GE(*rec.battery_percent(), 37);

    SimRecorder full(
        2, make_recorder(t.path() / "2", R"({"serial": "S", "battery_percent": 99, "charge_percent_per_min": 60000})"));
    std::this_thread::sleep_for(10ms);
    EXPECT_EQ(*full.battery_percent(), 100);
}

TEST(SimRecorder, ClockOffsetAndSetClockWritesZeroKeepingOtherFields) {
    TempDir t;
    const auto dir = make_recorder(t.path() / "1", R"({"serial": "ZFY9", "clock_offset_s": -93.5,
        "officer": {"no": "004213"}, "battery_percent": 35, "extra": {"keep": true}})");
    SimRecorder rec(1, dir);
    auto clock = rec.read_clock();
    ASSERT_TRUE(clock.ok() && *clock);
    const std::chrono::duration<double> offset = **clock - std::chrono::system_clock::now();
    EXPECT_NEAR(offset.count(), -93.5, 2.0);

    ASSERT_TRUE(rec.set_clock(std::chrono::system_clock::now()).ok());
    const auto written = boost::json::parse(read_text(dir / "device.json")).as_object();
    EXPECT_EQ(written.at("clock_offset_s").to_number<double>(), 0.0);
    EXPECT_EQ(written.at("serial").as_string(), "ZFY9");
    EXPECT_EQ(written.at("battery_percent").to_number<int>(), 35);
    EXPECT_EQ(written.at("officer").at("no").as_string(), "004213");
    EXPECT_TRUE(written.at("extra").at("keep").as_bool());
    EXPECT_LT(std::chrono::abs(**rec.read_clock() - std::chrono::system_clock::now()), 2s);
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++files;
    EXPECT_EQ(files, 2u) << "no temp file left beside device.json";
}

TEST(SimRecorder, ClockSetFailsFaultLeavesOffset) {
    TempDir t;
    const auto dir =
        make_recorder(t.path() / "1", R"({"serial": "S", "clock_offset_s": 600, "faults": {"clock_set_fails": true}})");
    SimRecorder rec(1, dir);
    auto r = rec.set_clock(std::chrono::system_clock::now());
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("bay 1: set clock"), std::string::npos) << r.error().message;
    const auto written = boost::json::parse(read_text(dir / "device.json")).as_object();
    EXPECT_EQ(written.at("clock_offset_s").to_number<double>(), 600.0);
}

// --- media ---------------------------------------------------------------------

TEST(SimRecorder, ListMediaWalksNestedDirsReportsSymlinksWithoutFollowing) {
    TempDir t;
    write_text(t.path() / "outside.txt", "secret");
    write_text(t.path() / "outside-dir" / "hidden.mp4", "hidden");
    const auto dir =
        make_recorder(t.path() / "1", R"({"serial": "S", "important": ["RECORD/2026/11/b.wav"]})",
                      {{"DCIM/100MEDIA/a.mp4", "aaaa"}, {"RECORD/2026/11/b.wav", "bb"}, {"DCIM/zero.jpg", ""}});
    fs::create_symlink(t.path() / "outside.txt", dir / "media" / "DCIM" / "link.mp4");
    fs::create_directory_symlink(t.path() / "outside-dir", dir / "media" / "linkdir");
    ::mkfifo((dir / "media" / "fifo").c_str(), 0600);
    const timespec times[2] = {{1700000000, 0}, {1700000000, 0}};
    ::utimensat(AT_FDCWD, (dir / "media/DCIM/100MEDIA/a.mp4").c_str(), times, 0);

    SimRecorder rec(1, dir);
    auto list = rec.list_media();
    ASSERT_TRUE(list.ok()) << list.error().message;
    // Directories are listed too (their contents follow); here only the rest.
    std::erase_if(*list, [](const MediaEntry& e) { return e.kind == EntryKind::directory; });
    std::vector<std::string> paths;
    for (const auto& e : *list) paths.push_back(e.device_path);
    EXPECT_EQ(paths, (std::vector<std::string>{"DCIM/100MEDIA/a.mp4", "DCIM/link.mp4", "DCIM/zero.jpg",
                                               "RECORD/2026/11/b.wav", "fifo", "linkdir"}));
    const auto& a = (*list)[0];
    EXPECT_EQ(a.size_bytes, 4u);
    EXPECT_EQ(a.kind, EntryKind::file);
    EXPECT_FALSE(a.important);
    EXPECT_EQ(a.modified_at.time_since_epoch().count(), 1700000000000);
    EXPECT_EQ((*list)[1].kind, EntryKind::symlink);
    EXPECT_EQ((*list)[2].size_bytes, 0u);
    EXPECT_TRUE((*list)[3].important);
    EXPECT_EQ((*list)[4].kind, EntryKind::special);
    EXPECT_EQ((*list)[4].problem, "a FIFO");
    EXPECT_EQ((*list)[5].kind, EntryKind::symlink);

    auto refused = rec.open_media((*list)[1]);
    ASSERT_FALSE(refused.ok());
    auto forged = (*list)[1];
    forged.kind = EntryKind::file;  // the walk itself must refuse, not just the flag
    refused = rec.open_media(forged);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().sys_errno, ELOOP) << refused.error().message;
    const auto through_dir = entry_at("linkdir/hidden.mp4");
    refused = rec.open_media(through_dir);
    ASSERT_FALSE(refused.ok());
    EXPECT_TRUE(refused.error().sys_errno == ELOOP || refused.error().sys_errno == ENOTDIR);
    EXPECT_FALSE(rec.open_media(entry_at("../device.json")).ok());

    auto zero = rec.open_media((*list)[2]);
    ASSERT_TRUE(zero.ok()) << zero.error().message;
    EXPECT_EQ(read_all(**zero, 4096).data, "");
    auto reader = rec.open_media(a);
    ASSERT_TRUE(reader.ok());
    EXPECT_EQ(read_all(**reader, 3).data, "aaaa");
}

TEST(SimRecorder, OpenRefusesPathWhoseMiddleComponentBecameASymlink) {
    TempDir t;
    const auto dir = make_recorder(t.path() / "1", basic_json, {{"DCIM/100MEDIA/a.mp4", "real"}});
    SimRecorder rec(1, dir);
    const auto entry = entry_for(rec, "DCIM/100MEDIA/a.mp4");
    ASSERT_TRUE(rec.open_media(entry).ok());
    write_text(t.path() / "evil" / "100MEDIA" / "a.mp4", "evil");
    fs::rename(dir / "media" / "DCIM", t.path() / "old-dcim");
    fs::create_directory_symlink(t.path() / "evil", dir / "media" / "DCIM");
    auto r = rec.open_media(entry);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.error().sys_errno == ELOOP || r.error().sys_errno == ENOTDIR) << r.error().message;
}

TEST(SimRecorder, IoErrorFaultReturnsBytesUpToOffsetThenEio) {
    TempDir t;
    const auto content = pattern(3 << 20);
    SimRecorder rec(
        1, make_recorder(t.path() / "1",
                         R"({"serial": "S", "faults": {"io_error": [{"path": "DCIM/a.mp4", "offset": 1048576}]}})",
                         {{"DCIM/a.mp4", content}, {"DCIM/b.mp4", content}}));
    auto reader = rec.open_media(entry_for(rec, "DCIM/a.mp4"));
    ASSERT_TRUE(reader.ok());
    const auto out = read_all(**reader, 1000000);
    EXPECT_EQ(out.data, content.substr(0, 1048576));
    ASSERT_TRUE(out.error);
    EXPECT_EQ(out.error->message, "Input/output error");
    EXPECT_EQ(out.error->sys_errno, EIO);

    auto other = rec.open_media(entry_for(rec, "DCIM/b.mp4"));
    ASSERT_TRUE(other.ok());
    const auto clean = read_all(**other, 1 << 20);
    EXPECT_FALSE(clean.error);
    EXPECT_EQ(clean.data, content);
}

TEST(SimRecorder, RemovalMidReadLooksLikeUnplug) {
    TempDir t;
    SimRecorder rec(1, make_recorder(t.path() / "1", basic_json, {{"a.mp4", pattern(1 << 20)}}));
    auto reader = rec.open_media(entry_for(rec, "a.mp4"));
    ASSERT_TRUE(reader.ok());
    std::vector<std::byte> buf(4096);
    ASSERT_TRUE((*reader)->read(buf).ok());
    fs::rename(t.path() / "1", t.path() / ".removed-1");
    auto r = (*reader)->read(buf);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "bay 1: recorder removed");
    EXPECT_EQ(r.error().sys_errno, ENODEV);

    // Another recorder in the same bay is not this docking.
    make_recorder(t.path() / "1", basic_json, {{"a.mp4", "x"}});
    EXPECT_EQ((*reader)->read(buf).error().sys_errno, ENODEV);
    EXPECT_EQ(rec.identify().error().sys_errno, ENODEV);
}

TEST(SimRecorder, StallBlocksReadsUntilRemoved) {
    TempDir t;
    SimRecorder rec(1, make_recorder(t.path() / "1", R"({"serial": "S", "faults": {"stall_after_bytes": 100000}})",
                                     {{"a.mp4", pattern(1 << 20)}}));
    auto reader = rec.open_media(entry_for(rec, "a.mp4"));
    ASSERT_TRUE(reader.ok());
    std::atomic<std::size_t> got{0};
    std::atomic<bool> done{false};
    std::optional<dockd::Error> error;
    std::thread worker([&] {
        std::vector<std::byte> buf(8192);
        for (;;) {
            auto n = (*reader)->read(buf);
            if (!n) {
                error = n.error();
                break;
            }
            if (*n == 0) break;
            got += *n;
        }
        done = true;
    });
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (got < 100000 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
    std::this_thread::sleep_for(300ms);  // a stalled device shows no progress for a while
    EXPECT_EQ(got.load(), 100000u);
    EXPECT_FALSE(done.load());
    fs::remove_all(t.path() / "1");
    worker.join();
    ASSERT_TRUE(error);
    EXPECT_EQ(error->sys_errno, ENODEV);
}

TEST(SimRecorder, ReadRateIsThrottled) {
    TempDir t;
    const auto content = pattern(2000000);
    SimRecorder rec(
        1, make_recorder(t.path() / "1", R"({"serial": "S", "read_bytes_per_s": 4000000})", {{"a.mp4", content}}));
    auto reader = rec.open_media(entry_for(rec, "a.mp4"));
    ASSERT_TRUE(reader.ok());
    const auto start = std::chrono::steady_clock::now();
    const auto out = read_all(**reader, 256 * 1024);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(out.data, content);
    EXPECT_GE(elapsed, 400ms);
}

TEST(SimRecorder, RemoveMediaUnlinksWithoutFollowingSymlinks) {
    TempDir t;
    write_text(t.path() / "outside" / "keep.mp4", "keep");
    const auto dir = make_recorder(t.path() / "1", basic_json, {{"DCIM/a.mp4", "a"}, {"DCIM/b.mp4", "b"}});
    fs::create_directory_symlink(t.path() / "outside", dir / "media" / "linkdir");
    fs::create_symlink(t.path() / "outside" / "keep.mp4", dir / "media" / "DCIM" / "l.mp4");
    SimRecorder rec(1, dir);
    const auto a = entry_for(rec, "DCIM/a.mp4");
    ASSERT_TRUE(rec.remove_media(a).ok());
    EXPECT_FALSE(fs::exists(dir / "media" / "DCIM" / "a.mp4"));
    EXPECT_TRUE(fs::exists(dir / "media" / "DCIM" / "b.mp4"));
    auto again = rec.remove_media(a);
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().sys_errno, ENOENT);

    EXPECT_FALSE(rec.remove_media(entry_at("linkdir/keep.mp4")).ok());
    ASSERT_TRUE(rec.remove_media(entry_for(rec, "DCIM/l.mp4")).ok());
    EXPECT_TRUE(fs::exists(t.path() / "outside" / "keep.mp4"));
    EXPECT_FALSE(fs::is_symlink(dir / "media" / "DCIM" / "l.mp4"));
}
