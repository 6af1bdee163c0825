// daemon/ingest/device_path: recorder file names and serials are untrusted;
// anything that could escape staging or the archive prefix, or garble a log
// line, is refused with a reason, and shown only in escaped, bounded form.
#include "daemon/ingest/device_path.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace dockd::ingest {
namespace {

using namespace std::string_literals;

struct Hostile {
    std::string label, path, reason_part;
};

// "视频" (video) and "执法记录" in UTF-8.
const std::string video_zh = "\xE8\xA7\x86\xE9\xA2\x91";
const std::string record_zh = "\xE6\x89\xA7\xE6\xB3\x95\xE8\xAE\xB0\xE5\xBD\x95";

TEST(DevicePathTest, HostileNamesAreRefusedWithAReason) {
    const std::vector<Hostile> cases = {
        {"dot-dot alone", "..", "'..'"},
        {"dot-dot inside", "a/../b", "'..'"},
        {"dot-dot leading", "../x", "'..'"},
        {"absolute", "/etc/passwd", "absolute"},
        {"empty component", "a//b", "empty path component"},
        {"dot component", "./a", "'.'"},
        {"trailing slash", "DCIM/", "empty path component"},
        {"NUL inside", "DCIM/a\0.mp4"s, "NUL"},
        {"control 0x01", "a\x01.mp4", "control"},
        {"escape 0x1b", "a\x1b[31m.mp4", "control"},
        {"DEL 0x7f", "a\x7f.mp4", "control"},
        {"newline", "a\nfake log line.mp4", "control"},
        {"tab", "a\t.mp4", "control"},
        {"backslash", "DCIM\\..\\a.mp4", "backslash"},
        {"invalid byte 0xff", "a\xff.mp4", "UTF-8"},
        {"overlong slash",
         "a\xc0\xaf"
         "b",
         "UTF-8"},
        {"UTF-16 surrogate", "a\xed\xa0\x80.mp4", "UTF-8"},
        {"above U+10FFFF", "a\xf4\x90\x80\x80.mp4", "UTF-8"},
        {"truncated sequence", "a\xe8\xa7", "UTF-8"},
        {"lone continuation", "a\x80.mp4", "UTF-8"},
        {"empty", "", "empty"},
        {"4000 bytes", std::string(4000, 'a'), "4000 bytes"},
        {"256-byte component", "DCIM/" + std::string(256, 'a'), "255"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.label);
        const auto r = check_device_path(c.path);
        ASSERT_FALSE(r.ok());
        EXPECT_NE(r.error().message.find(c.reason_part), std::string::npos) << r.error().message;
    }
}

TEST(DevicePathTest, NulByteIsSeenEvenWhenTheRestIsHarmless) {
    const std::string with_nul("a.mp4\0/../../etc/passwd", 23);
    ASSERT_EQ(with_nul.size(), 23u);
    EXPECT_FALSE(check_device_path(with_nul).ok());
}

TEST(DevicePathTest, OrdinaryRecorderNamesAreAccepted) {
    const std::vector<std::string> good = {
        "a.mp4",
        "DCIM/100MEDIA/a.mp4",
        "DCIM/100MEDIA/20261123_180211_0001.MP4",
        video_zh + "/" + record_zh + "_0001.mp4",
        "DCIM/" + record_zh + " 2026-11-23 18.02.mp4",
        "My Videos/clip (1).mov",
        "..hidden/a..b/.profile",
        "DCIM/" + std::string(255, 'a'),
        "DCIM/" +
            [] {
                std::string s;
                for (int i = 0; i < 85; ++i) s += "\xE8\xA7\x86";  // 85 x 3 = 255 bytes
                return s;
            }(),
    };
    for (const auto& p : good) {
        const auto r = check_device_path(p);
        EXPECT_TRUE(r.ok()) << p << ": " << (r.ok() ? "" : r.error().message);
    }
}

TEST(DevicePathTest, WholePathLimitIsEnforcedIndependentlyOfComponents) {
    std::string at_limit;
    while (at_limit.size() + 11 <= max_device_path_bytes) at_limit += "aaaaaaaaaa/";
    at_limit += std::string(max_device_path_bytes - at_limit.size(), 'b');
    ASSERT_EQ(at_limit.size(), max_device_path_bytes);
    EXPECT_TRUE(check_device_path(at_limit).ok());
    EXPECT_FALSE(check_device_path(at_limit + "b").ok());
}

TEST(PrintablePathTest, ControlBytesAreEscapedAsHex) {
    EXPECT_EQ(printable_path("a\x01"
                             "b"),
              "a\\x01b");
    EXPECT_EQ(printable_path("a\x1b[31m"), "a\\x1B[31m");
    EXPECT_EQ(printable_path("a\nb"), "a\\x0Ab");
    EXPECT_EQ(printable_path("a\x7f"), "a\\x7F");
    EXPECT_EQ(printable_path("a\0b"s), "a\\x00b");
}

TEST(PrintablePathTest, InvalidUtf8AndBackslashAreEscaped) {
    EXPECT_EQ(printable_path("a\xff"), "a\\xFF");
    EXPECT_EQ(printable_path("\xc0\xaf"), "\\xC0\\xAF");
    EXPECT_EQ(printable_path("\xed\xa0\x80"), "\\xED\\xA0\\x80");
    const std::string shown = printable_path("a\\b");
    EXPECT_NE(shown, "a\\b");
    EXPECT_EQ(shown, "a\\x5Cb");
}

TEST(PrintablePathTest, ChineseAndOrdinaryNamesPassUnchanged) {
    const std::string name = "DCIM/" + record_zh + " " + video_zh + ".mp4";
    EXPECT_EQ(printable_path(name), name);
    EXPECT_EQ(printable_path("DCIM/100MEDIA/a b.mp4"), "DCIM/100MEDIA/a b.mp4");
}

TEST(PrintablePathTest, LongNameIsCutAndStatesItsRealLength) {
    const std::string shown = printable_path(std::string(4000, 'a'));
    EXPECT_EQ(shown, std::string(512, 'a') + "...(4000 bytes)");
}

TEST(PrintablePathTest, LongChineseNameIsCutOnACharacterBoundary) {
    std::string name;
    while (name.size() < 3000) name += video_zh;
    const std::string shown = printable_path(name);
    const auto marker = shown.find("...(" + std::to_string(name.size()) + " bytes)");
    ASSERT_NE(marker, std::string::npos) << shown;
    EXPECT_LE(marker, 520u);
    EXPECT_EQ(marker % 3, 0u) << "cut inside a UTF-8 sequence";
    EXPECT_EQ(shown.substr(0, marker), name.substr(0, marker));
}

TEST(PrintablePathTest, OutputStaysBoundedForHostileInput) {
    for (const std::string& hostile :
         {std::string(4000, '\x01'), std::string(100000, '\xff'), std::string(1 << 20, 'a')}) {
        EXPECT_LT(printable_path(hostile).size(), 600u);
    }
}

// A shown name that is shorter than the original must say so, whatever made
// it short: a name of escaped bytes reaches the 512-byte cut long before its
// raw length does.
TEST(PrintablePathTest, TruncatedEscapedNameStillStatesItsRealLength) {
    const std::string name(200, '\x01');  // 200 bytes, 800 when escaped
    const std::string shown = printable_path(name);
    const bool complete = shown.size() == 4 * name.size();
    const bool marked = shown.find("...(200 bytes)") != std::string::npos;
    EXPECT_TRUE(complete || marked) << "shown " << shown.size() << " bytes of escapes, no length marker";
}

TEST(SerialTest, SerialsThatCouldBecomePathsAreRefused) {
    for (const std::string& bad : {"../x"s, "a/b"s, ""s, std::string(65, 'A'), "."s, ".."s, "ZFY 01"s, "ZFY\x01"s,
                                   "ZFY\0x"s, "\xE6\x89\xA7"s, "a\\b"s}) {
        const auto r = check_serial(bad);
        EXPECT_FALSE(r.ok()) << printable_path(bad);
        if (!r.ok()) {
            EXPECT_FALSE(r.error().message.empty());
        }
    }
}

TEST(SerialTest, OrdinarySerialsAreAccepted) {
    for (const std::string& good : {"ZFY0001"s, "DSJ-A8_2026.11"s, std::string(64, 'Z'), "a"s}) {
        const auto r = check_serial(good);
        EXPECT_TRUE(r.ok()) << good << ": " << (r.ok() ? "" : r.error().message);
    }
}

}  // namespace
}  // namespace dockd::ingest
