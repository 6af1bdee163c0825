// The simulated recorder's facts it cannot report (DESIGN §12: null in
// device.json) and the media walk's limits (issue 9: a branch too deep or
// too large is reported on its own; the rest is listed).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <fstream>

#include "daemon/common/time.hpp"
#include "drivers/sim/media_tree.hpp"
#include "drivers/sim/sim_recorder.hpp"
#include "tests/unit/support.hpp"

namespace dockd::drivers::sim {
namespace {

namespace fs = std::filesystem;
using test_support::TempDir;

fs::path recorder(const fs::path& dir, const std::string& json) {
    fs::create_directories(dir / "media");
    std::ofstream(dir / "device.json") << json;
    return dir;
}

void touch(const fs::path& p) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << "x";
}

TEST(SimFacts, NullMeansTheRecorderCannotReportIt) {
    TempDir t("sim");
    SimRecorder rec(1, recorder(t.path() / "1", R"({"serial": "S", "battery_percent": null, "firmware": null,
        "clock_readable": false, "storage_total_bytes": null})"));
    auto id = rec.identify();
    ASSERT_TRUE(id) << id.error().message;
    EXPECT_FALSE(id->firmware);
    auto battery = rec.battery_percent();
    ASSERT_TRUE(battery);
    EXPECT_FALSE(*battery);
    auto clock = rec.read_clock();
    ASSERT_TRUE(clock);
    EXPECT_FALSE(*clock);
    EXPECT_TRUE(rec.set_clock(std::chrono::system_clock::now())) << "an unreadable clock can still be set";
    auto st = rec.storage();
    ASSERT_TRUE(st);
    EXPECT_FALSE(st->total_bytes);
    EXPECT_FALSE(st->free_bytes);
}

TEST(SimFacts, AbsurdClockOffsetsReadAsTheEndsOfTheDateRegister) {
    TempDir t("sim");
    SimRecorder ahead(1, recorder(t.path() / "1", R"({"serial": "S", "clock_offset_s": 1e300})"));
    SimRecorder behind(2, recorder(t.path() / "2", R"({"serial": "S", "clock_offset_s": -1e300})"));
    EXPECT_EQ(to_unix_ms(**ahead.read_clock()), rfc3339_max_ms);
    EXPECT_EQ(to_unix_ms(**behind.read_clock()), rfc3339_min_ms);
}

class Walk : public ::testing::Test {
protected:
    Result<std::vector<MediaEntry>> list(const ListLimits& limits) {
        UniqueFd root(::open(t.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        return list_tree(root.get(), limits);
    }
    static const MediaEntry* find(const std::vector<MediaEntry>& all, const std::string& path) {
        for (const auto& e : all)
            if (e.device_path == path) return &e;
        return nullptr;
    }
    TempDir t{"walk"};
};

TEST_F(Walk, ABranchTooDeepIsOneEntryAndTheRestIsListed) {
    touch(t.path() / "a/b/c/d/deep.mp4");
    touch(t.path() / "z.mp4");
    ListLimits limits;
    limits.max_depth = 2;
    auto all = list(limits);
    ASSERT_TRUE(all) << all.error().message;
    const auto* branch = find(*all, "a/b/c");
    ASSERT_TRUE(branch);
    EXPECT_EQ(branch->kind, EntryKind::branch);
    EXPECT_EQ(branch->problem, "deeper than 2 levels");
    EXPECT_FALSE(find(*all, "a/b/c/d/deep.mp4"));
    ASSERT_TRUE(find(*all, "z.mp4"));
    EXPECT_EQ(find(*all, "z.mp4")->kind, EntryKind::file);
    EXPECT_EQ(find(*all, "a/b")->kind, EntryKind::directory);
}

TEST_F(Walk, ADirectoryWithTooManyEntriesIsRefusedWhole) {
    for (int i = 0; i < 6; ++i) touch(t.path() / "crowd" / ("f" + std::to_string(i) + ".mp4"));
    touch(t.path() / "calm/one.mp4");
    ListLimits limits;
    limits.max_entries_per_directory = 5;
    auto all = list(limits);
    ASSERT_TRUE(all) << all.error().message;
    const auto* crowd = find(*all, "crowd");
    ASSERT_TRUE(crowd);
    bool refused = false;
    for (const auto& e : *all)
        if (e.device_path == "crowd" && e.kind == EntryKind::branch) refused = e.problem.find("more than 5") == 0;
    EXPECT_TRUE(refused);
    EXPECT_FALSE(find(*all, "crowd/f0.mp4"));
    EXPECT_TRUE(find(*all, "calm/one.mp4"));
}

TEST_F(Walk, FifosSocketsAndDirectoriesNamedLikeMediaAreReportedNotSkipped) {
    ASSERT_EQ(::mkfifo((t.path() / "x.mp4").c_str(), 0600), 0);
    const int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const auto sock_path = (t.path() / "s.mp4").string();
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", sock_path.c_str());
    ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    touch(t.path() / "y.mp4/inner.mp4");
    auto all = list({});
    ::close(s);
    ASSERT_TRUE(all) << all.error().message;
    EXPECT_EQ(find(*all, "x.mp4")->kind, EntryKind::special);
    EXPECT_EQ(find(*all, "x.mp4")->problem, "a FIFO");
    EXPECT_EQ(find(*all, "s.mp4")->problem, "a socket");
    EXPECT_EQ(find(*all, "y.mp4")->kind, EntryKind::directory);
    EXPECT_EQ(find(*all, "y.mp4/inner.mp4")->kind, EntryKind::file);
}

TEST_F(Walk, ATimeBeyondNanosecondClocksIsKeptInMilliseconds) {
    touch(t.path() / "future.mp4");
    const timespec y2400[2] = {{13'569'465'600, 0}, {13'569'465'600, 0}};  // 2400-01-01
    ASSERT_EQ(::utimensat(AT_FDCWD, (t.path() / "future.mp4").c_str(), y2400, 0), 0);
    auto all = list({});
    ASSERT_TRUE(all);
    EXPECT_EQ(to_unix_ms(find(*all, "future.mp4")->modified_at), 13'569'465'600'000);
}

}  // namespace
}  // namespace dockd::drivers::sim
