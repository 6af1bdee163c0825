// The ums driver against a real filesystem: an ext4 image on a loop device,
// mounted by the driver itself (needs root and loop devices: skipped with the
// reason otherwise). FAT is what recorders use, but this kernel has no vfat;
// the driver's per-filesystem choice falls through to ext4 here.
#include "drivers/ums/ums_recorder.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "drivers/ums/time_file.hpp"

namespace dockd::drivers::ums {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string run(const std::string& cmd, int& status) {
    std::string out;
    FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
    if (!p) {
        status = -1;
        return out;
    }
    std::array<char, 512> buf{};
    while (std::fgets(buf.data(), buf.size(), p)) out += buf.data();
    status = ::pclose(p);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

// Mount options of the mount at path, from /proc/self/mountinfo ("" if not mounted).
std::string mount_options(const fs::path& path) {
    std::ifstream in("/proc/self/mountinfo");
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream f(line);
        std::string id, parent, devno, root, point, opts;
        f >> id >> parent >> devno >> root >> point >> opts;
        if (point == path.string()) return opts;
    }
    return "";
}

void set_mtime(const fs::path& p, SystemTime t) {
    const auto s = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
    timeval tv[2] = {{static_cast<time_t>(s), 0}, {static_cast<time_t>(s), 0}};
    ::utimes(p.c_str(), tv);
}

class UmsRecorderTest : public ::testing::Test {
protected:
    void SetUp() override {
        base = fs::temp_directory_path() / ("dockd-ums-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(base);
        fs::create_directories(base / "content" / "DCIM" / "100");
        std::ofstream(base / "content" / "DCIM" / "100" / "a.mp4") << "footage-a";
        std::ofstream(base / "content" / "DCIM" / "100" / "b.jpg") << "photo-b";
        const auto old = std::chrono::system_clock::now() - 48h;
        set_mtime(base / "content" / "DCIM" / "100" / "a.mp4", old);
        set_mtime(base / "content" / "DCIM" / "100" / "b.jpg", old);
    }
    // Builds the image from content/ and attaches it; false = skip.
    bool attach(std::string& why) {
        if (::geteuid() != 0) {
            why = "loop mounts need root";
            return false;
        }
        int st = 0;
        const auto img = base / "disk.img";
        run("truncate -s 16M " + img.string(), st);
        auto out = run("mkfs.ext4 -q -F -d " + (base / "content").string() + " " + img.string(), st);
        if (st != 0) {
            why = "mkfs.ext4 -d: " + out;
            return false;
        }
        loop = run("losetup --find --show " + img.string(), st);
        if (st != 0 || loop.empty()) {
            why = "no loop device: " + loop;
            loop.clear();
            return false;
        }
        return true;
    }
    void TearDown() override {
        rec.reset();
        int st = 0;
        if (!loop.empty()) run("losetup -d " + loop, st);
        fs::remove_all(base);
    }
    std::unique_ptr<UmsRecorder> make() {
        usb::UsbDeviceInfo info;
        info.port_path = "1-1.4";
        info.serial = "ZFY0009";
        info.manufacturer = "ZFY Corp";
        info.product = "DSJ-M1";
        info.bcd_device = 0x0210;
        slot->set(info);
        UmsOptions o;
        o.media_base = base / "bays";
        o.time_file = "time.txt";
        o.time_format = "%Y%m%d%H%M%S";
        o.locate = [this](const usb::UsbDeviceInfo&) { return Result<BlockDevice>(BlockDevice{loop, ""}); };
        return std::make_unique<UmsRecorder>(slot, o);
    }
    fs::path media() const { return base / "bays" / "4" / "media"; }

    fs::path base;
    std::string loop;
    std::shared_ptr<usb::BaySlot> slot = std::make_shared<usb::BaySlot>(4);
    std::unique_ptr<UmsRecorder> rec;
};

#define ATTACH_OR_SKIP()                       \
    do {                                       \
        std::string why;                       \
        if (!attach(why)) GTEST_SKIP() << why; \
    } while (0)

// The regular files of a listing (directories such as lost+found are listed too).
Result<std::vector<MediaEntry>> regular_files(Recorder& rec) {
    auto all = rec.list_media();
    if (all) std::erase_if(*all, [](const MediaEntry& e) { return e.kind != EntryKind::file; });
    return all;
}

TEST_F(UmsRecorderTest, MountsReadOnlyNosuidNodevNoexecUnderTheBay) {
    ATTACH_OR_SKIP();
    rec = make();
    auto id = rec->identify();
    ASSERT_TRUE(id) << id.error().message;
    EXPECT_EQ(id->serial, "ZFY0009");
    EXPECT_EQ(id->model, "DSJ-M1");
    EXPECT_EQ(id->firmware, "2.10");
    const auto opts = mount_options(media());
    ASSERT_FALSE(opts.empty()) << "not mounted at " << media();
    EXPECT_EQ(opts.rfind("ro,", 0), 0u) << opts;
    EXPECT_NE(opts.find("nosuid"), std::string::npos) << opts;
    EXPECT_NE(opts.find("nodev"), std::string::npos) << opts;
    EXPECT_NE(opts.find("noexec"), std::string::npos) << opts;
    EXPECT_FALSE(std::ofstream(media() / "intruder.txt")) << "read-only mount accepted a write";

    auto files = regular_files(*rec);
    ASSERT_TRUE(files) << files.error().message;
    std::vector<std::string> paths;
    for (const auto& f : *files) paths.push_back(f.device_path);
    EXPECT_EQ(paths, (std::vector<std::string>{"DCIM/100/a.mp4", "DCIM/100/b.jpg"}));
    auto reader = rec->open_media(files->front());
    ASSERT_TRUE(reader);
    std::array<std::byte, 64> buf{};
    auto n = (*reader)->read(buf);
    ASSERT_TRUE(n);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(buf.data()), *n), "footage-a");
    auto st = rec->storage();
    ASSERT_TRUE(st);
    EXPECT_GT(st->total_bytes, 8u << 20);
}

TEST_F(UmsRecorderTest, WipeRemountsReadWriteOnlyForTheMoment) {
    ATTACH_OR_SKIP();
    rec = make();
    auto files = regular_files(*rec);
    ASSERT_TRUE(files) << files.error().message;
    ASSERT_TRUE(rec->remove_media(files->front()));
    EXPECT_FALSE(fs::exists(media() / "DCIM" / "100" / "a.mp4"));
    EXPECT_TRUE(fs::exists(media() / "DCIM" / "100" / "b.jpg"));
    EXPECT_EQ(mount_options(media()).rfind("ro,", 0), 0u) << "back to read-only after the wipe";
}

TEST_F(UmsRecorderTest, SetClockWritesTheTimeFileAtTheRootInTheConfiguredFormat) {
    ATTACH_OR_SKIP();
    rec = make();
    const auto at = std::chrono::system_clock::from_time_t(1764000000);
    ASSERT_TRUE(rec->set_clock(at));
    std::ifstream in(media() / "time.txt");
    std::string text((std::istreambuf_iterator<char>(in)), {});
    auto expected = format_time_file("%Y%m%d%H%M%S", at);
    ASSERT_TRUE(expected);
    EXPECT_EQ(text, *expected);
    EXPECT_EQ(text.size(), 15u);  // 14 digits and a newline
    EXPECT_EQ(mount_options(media()).rfind("ro,", 0), 0u);
    auto files = regular_files(*rec);
    ASSERT_TRUE(files);
    EXPECT_EQ(files->size(), 2u) << "the clock file is not footage";
}

// DESIGN §12: mass storage cannot tell its clock, and a file dated in the
// future proves nothing the station may record as a reading.
TEST_F(UmsRecorderTest, ClockAndBatteryAreUnknownEvenWithFilesFromTheFuture) {
    const auto ahead = std::chrono::system_clock::now() + 1h;
    std::ofstream(base / "content" / "DCIM" / "100" / "c.mp4") << "from the future";
    set_mtime(base / "content" / "DCIM" / "100" / "c.mp4", ahead);
    ATTACH_OR_SKIP();
    rec = make();
    auto clock = rec->read_clock();
    ASSERT_TRUE(clock) << clock.error().message;
    EXPECT_FALSE(*clock) << "no offset guessed from file times";
    auto battery = rec->battery_percent();
    ASSERT_TRUE(battery);
    EXPECT_FALSE(*battery) << "no level estimated from time docked";
    // Setting it writes the clock file; the set cannot be read back.
    ASSERT_TRUE(rec->set_clock(std::chrono::system_clock::now()));
    auto after = rec->read_clock();
    ASSERT_TRUE(after);
    EXPECT_FALSE(*after) << "the re-read must not \"confirm\" the host's own clock";
}

TEST_F(UmsRecorderTest, RemovalUnmountsAndAVanishedDeviceIsDetachedLazily) {
    ATTACH_OR_SKIP();
    rec = make();
    ASSERT_TRUE(rec->identify());
    std::ifstream held(media() / "DCIM" / "100" / "b.jpg");  // keeps the mount busy
    ASSERT_TRUE(held);
    slot->clear();  // the device vanished
    rec.reset();
    EXPECT_EQ(mount_options(media()), "") << "still mounted";
    std::string s;
    held >> s;
    EXPECT_EQ(s, "photo-b") << "an open file stays readable after a lazy unmount";
}

TEST(MountData, FatGetsUtf8NamesAndTheHostsUtcOffset) {
    // FAT and exFAT keep local time without a zone: the kernel must be told the offset.
    std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    const std::string offset = "time_offset=" + std::to_string(local.tm_gmtoff / 60);
    EXPECT_NE(mount_data("vfat", false).find("utf8"), std::string::npos);
    EXPECT_NE(mount_data("vfat", false).find(offset), std::string::npos);
    EXPECT_NE(mount_data("exfat", false).find("iocharset=utf8"), std::string::npos);
    EXPECT_NE(mount_data("exfat", false).find(offset), std::string::npos);
    EXPECT_EQ(mount_data("ext4", false).find("time_offset"), std::string::npos) << "ext4 keeps UTC itself";
}

TEST(TimeFile, FormatsLocalTimeWithTheConfiguredPattern) {
    const auto t = std::chrono::system_clock::from_time_t(0);
    auto text = format_time_file("%Y", t);
    ASSERT_TRUE(text);
    EXPECT_TRUE(*text == "1970\n" || *text == "1969\n") << *text;
    EXPECT_FALSE(format_time_file("", t)) << "an empty format gives no clock file";
}

}  // namespace
}  // namespace dockd::drivers::ums
