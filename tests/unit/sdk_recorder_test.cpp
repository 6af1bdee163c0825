// The sdk driver against a real dlopen'ed vendor library (tests/vendor),
// loaded in the real dockd-sdk-host helper.
#include "drivers/sdk/sdk_recorder.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

namespace dockd::drivers::sdk {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const std::string kZhangSan = "\xd5\xc5\xc8\xfd";                                   // 张三 in GBK
const std::string kZhengzhou = "\xd6\xa3\xd6\xdd\xca\xd0\xb9\xab\xb0\xb2\xbe\xd6";  // 郑州市公安局

std::string field(const std::string& s, std::size_t width) {
    std::string f = s.substr(0, width);
    f.resize(width, '\0');
    return f;
}

std::string zfy(ZfyLayout layout, const std::string& serial, const std::string& no, const std::string& name,
                const std::string& unit_no, const std::string& unit) {
    if (layout == ZfyLayout::packed89)
        return field(serial, 7) + field(no, 6) + field(name, 32) + field(unit_no, 12) + field(unit, 32);
    return field(serial, 8) + field(no, 7) + field(name, 33) + field(unit_no, 13) + field(unit, 33);
}

// Stands in for the ums recorder the sdk recorder hands over to; the mount
// path itself is covered by ums_test.
class AfterSwitch : public Recorder {
public:
    Result<Identity> identify() override { return Identity{}; }
    Result<std::optional<int>> battery_percent() override { return std::optional<int>(); }
    Result<StorageInfo> storage() override { return StorageInfo{1000, 400}; }
    Result<std::optional<DeviceTime>> read_clock() override { return std::optional<DeviceTime>(); }
    Result<void> set_clock(SystemTime) override { return {}; }
    Result<std::vector<MediaEntry>> list_media() override { return std::vector<MediaEntry>{}; }
    Result<std::unique_ptr<MediaReader>> open_media(const MediaEntry&) override { return Error{"none"}; }
    Result<void> remove_media(const MediaEntry&) override { return {}; }
};

class SdkRecorderTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir = fs::temp_directory_path() / ("dockd-sdk-" + std::to_string(::getpid()) + "-" +
                                           ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir);
        fs::create_directories(dir);
        ::setenv("DOCKD_TEST_VENDOR_DIR", dir.c_str(), 1);
        put("password", "s3cret\n");
        put("battery", "42");
        put("zfy.bin", zfy(ZfyLayout::packed89, "ZFY0001", "004213", kZhangSan, "410402000000", kZhengzhou));
        put("pwfile", "s3cret\n");
        ::chmod((dir / "pwfile").c_str(), 0600);
        usb::UsbDeviceInfo info;
        info.port_path = "1-1.2";
        info.vid = 0x1234;
        info.pid = 0x0002;
        info.address = 5;
        info.manufacturer = "ZFY Corp";
        info.product = "DSJ-X1";
        info.bcd_device = 0x0102;
        slot->set(info);
        opt.library = DOCKD_TEST_VENDOR;
        opt.host = DOCKD_SDK_HOST;
        opt.password_file = dir / "pwfile";
        opt.call_timeout = 2000ms;
        opt.mode_switch_timeout = 3000ms;
        opt.continue_as_ums = [this](std::shared_ptr<usb::BaySlot> s) -> std::shared_ptr<Recorder> {
            handed_over_with = s->current()->pid;
            return std::make_shared<AfterSwitch>();
        };
    }
    void TearDown() override { fs::remove_all(dir); }
    void put(const std::string& name, const std::string& content) {
        std::ofstream(dir / name, std::ios::binary) << content;
    }

    fs::path dir;
    std::shared_ptr<usb::BaySlot> slot = std::make_shared<usb::BaySlot>(2);
    SdkOptions opt;
    int handed_over_with = 0;
};

TEST_F(SdkRecorderTest, Packed89IdentityAndOfficerComeOutInUtf8) {
    SdkRecorder rec(slot, opt);
    auto id = rec.identify();
    ASSERT_TRUE(id) << id.error().message;
    EXPECT_EQ(id->serial, "ZFY0001");  // all 7 bytes, no terminator
    ASSERT_TRUE(id->officer);
    EXPECT_EQ(id->officer->no, "004213");
    EXPECT_EQ(id->officer->name, "张三");
    EXPECT_EQ(id->officer->unit_no, "410402000000");
    EXPECT_EQ(id->officer->unit_name, "郑州市公安局");
    EXPECT_EQ(id->vendor, "ZFY Corp");
    EXPECT_EQ(id->firmware, "1.02");
    auto battery = rec.battery_percent();
    ASSERT_TRUE(battery);
    EXPECT_EQ(*battery, 42);
}

TEST_F(SdkRecorderTest, Nul94LayoutIsReadWhenConfigured) {
    put("zfy.bin", zfy(ZfyLayout::nul94, "ZFY0002", "004214", "\xc0\xee\xcb\xc4", "410402000001", kZhengzhou));
    opt.layout = ZfyLayout::nul94;
    SdkRecorder rec(slot, opt);
    auto id = rec.identify();
    ASSERT_TRUE(id) << id.error().message;
    EXPECT_EQ(id->serial, "ZFY0002");
    EXPECT_EQ(id->officer->name, "李四");
    EXPECT_EQ(id->officer->unit_no, "410402000001");
}

TEST_F(SdkRecorderTest, ALayoutMismatchIsAFaultNotAWrongName) {
    // A packed block read as nul94: the 8-byte serial field runs into the officer number.
    std::string packed = zfy(ZfyLayout::packed89, "ZFY0001", "004213", kZhangSan, "410402000000", std::string(32, 'X'));
    put("zfy.bin", packed + std::string(5, 'Y'));
    opt.layout = ZfyLayout::nul94;
    SdkRecorder rec(slot, opt);
    auto id = rec.identify();
    ASSERT_FALSE(id);
    EXPECT_NE(id.error().message.find("no terminating NUL"), std::string::npos) << id.error().message;
}

TEST_F(SdkRecorderTest, GarbageInZfyInfoIsAFault) {
    put("zfy.bin", std::string("ZFY\x01\x02\x03\x04", 7) + std::string(82, '\0'));
    SdkRecorder rec(slot, opt);
    auto id = rec.identify();
    ASSERT_FALSE(id);
    EXPECT_NE(id.error().message.find("ZFY_INFO.cSerial: control byte"), std::string::npos) << id.error().message;
}

TEST_F(SdkRecorderTest, ImpossibleBatteryLevelIsAFault) {
    put("battery", "250");
    SdkRecorder rec(slot, opt);
    auto id = rec.identify();
    ASSERT_FALSE(id);
    EXPECT_NE(id.error().message.find("ReadDeviceBatteryDumpEnergy: no valid level"), std::string::npos)
        << id.error().message;
}

TEST_F(SdkRecorderTest, WrongPasswordIsAFaultWithTheReason) {
    put("pwfile", "guess\n");
    SdkRecorder rec(slot, opt);
    auto id = rec.identify();
    ASSERT_FALSE(id);
    EXPECT_NE(id.error().message.find("GetZFYInfo refused (iRet 2: wrong vendor password?)"), std::string::npos)
        << id.error().message;
}

TEST_F(SdkRecorderTest, PasswordFileReadableByOthersIsRefused) {
    ::chmod((dir / "pwfile").c_str(), 0644);
    SdkRecorder rec(slot, opt);
    auto id = rec.identify();
    ASSERT_FALSE(id);
    EXPECT_NE(id.error().message.find("needs mode 0600"), std::string::npos) << id.error().message;
}

TEST_F(SdkRecorderTest, LibraryWithoutARequiredSymbolIsAFault) {
    opt.library = DOCKD_TEST_VENDOR_NOMSDC;
    SdkRecorder rec(slot, opt);
    auto id = rec.identify();
    ASSERT_FALSE(id);
    EXPECT_NE(id.error().message.find("lacks required symbol SetMSDC"), std::string::npos) << id.error().message;
}

TEST_F(SdkRecorderTest, MissingLibraryIsAFault) {
    opt.library = dir / "libnothere.so";
    SdkRecorder rec(slot, opt);
    auto id = rec.identify();
    ASSERT_FALSE(id);
    EXPECT_NE(id.error().message.find("dlopen"), std::string::npos) << id.error().message;
}

TEST_F(SdkRecorderTest, HangingCallIsCutOffAtTheTimeoutAndTheNextCallWorks) {
    put("hang", "GetZFYInfo");
    opt.call_timeout = 300ms;
    SdkRecorder rec(slot, opt);
    const auto t0 = std::chrono::steady_clock::now();
    auto id = rec.identify();
    const auto took = std::chrono::steady_clock::now() - t0;
    ASSERT_FALSE(id);
    EXPECT_NE(id.error().message.find("GetZFYInfo did not return within 300 ms (helper killed)"), std::string::npos)
        << id.error().message;
    EXPECT_LT(took, 2s);
    fs::remove(dir / "hang");
    auto again = rec.identify();  // a fresh helper
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->serial, "ZFY0001");
}

TEST_F(SdkRecorderTest, ByIndexVariantAddressesTheBaysDevice) {
    usb::UsbDeviceInfo info = *slot->current();
    info.usb_index = 1;  // a second recorder of this model, but the library sees one
    slot->set(info);
    SdkRecorder rec(slot, opt);
    auto id = rec.identify();
    ASSERT_FALSE(id);
    EXPECT_NE(id.error().message.find("Init_Device failed (iRet 4)"), std::string::npos) << id.error().message;
    put("devices", "2");
    SdkRecorder rec2(slot, opt);
    EXPECT_TRUE(rec2.identify());
}

TEST_F(SdkRecorderTest, SetMsdcThenContinuesAsMassStorageInTheSameBay) {
    SdkRecorder rec(slot, opt);
    ASSERT_TRUE(rec.identify());
    // The "recorder": once SetMSDC ran, it re-enumerates as mass storage.
    std::thread device([&] {
        for (int i = 0; i < 300 && !fs::exists(dir / "msdc"); ++i) std::this_thread::sleep_for(10ms);
        usb::UsbDeviceInfo ms = *slot->current();
        ms.pid = 0x0003;
        ms.address = 6;
        slot->set(ms);
    });
    auto st = rec.storage();
    device.join();
    ASSERT_TRUE(st) << st.error().message;
    EXPECT_EQ(st->total_bytes, 1000u);
    EXPECT_EQ(handed_over_with, 0x0003);
    EXPECT_TRUE(fs::exists(dir / "uninit")) << "the vendor session is closed after the switch";
    auto battery = rec.battery_percent();
    ASSERT_TRUE(battery);
    EXPECT_FALSE(*battery) << "mass storage cannot report the level: unknown, not the docking-time reading";
}

TEST_F(SdkRecorderTest, SetMsdcWithoutReEnumerationIsAFault) {
    opt.mode_switch_timeout = 200ms;
    SdkRecorder rec(slot, opt);
    ASSERT_TRUE(rec.identify());
    auto st = rec.storage();
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message.find("no mass-storage device appeared"), std::string::npos) << st.error().message;
}

TEST(ZfyInfo, GbkToUtf8RejectsBytesThatAreNotGbk) {
    auto ok = gbk_to_utf8(kZhangSan);
    ASSERT_TRUE(ok);
    EXPECT_EQ(*ok, "张三");
    EXPECT_FALSE(gbk_to_utf8("\xff\xff"));
}

}  // namespace
}  // namespace dockd::drivers::sdk
