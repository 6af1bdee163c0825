// What "ready" means and how a device clock is trusted (issue 9, DESIGN §12):
// pure functions, tested at the edges of the calendar and of int64.
#include "daemon/bay/gates.hpp"

#include <gtest/gtest.h>

#include <climits>

#include "daemon/ingest/copier.hpp"

namespace dockd::bay {
namespace {

using namespace std::chrono_literals;

MillisTime at(int y, unsigned m, unsigned d) {
    return MillisTime(std::chrono::sys_days{std::chrono::year{y} / m / d});
}

TEST(ChargeGate, AKnownBatteryCountsAgainstReadyPercent) {
    config::ChargeConfig c;
    c.ready_percent = 90;
    EXPECT_FALSE(charge_gate(89, 10h, c).met);
    const auto g = charge_gate(90, 0ms, c);
    EXPECT_TRUE(g.met);
    EXPECT_EQ(g.detail, "battery 90 % ≥ 90 %");
}

TEST(ChargeGate, AnUnknownBatteryIsChargedOnlyAfterTheHoldOnPower) {
    config::ChargeConfig c;
    c.unknown_battery_hold = 3h;
    const auto early = charge_gate(std::nullopt, 2h + 59min, c);
    EXPECT_FALSE(early.met);
    EXPECT_NE(early.detail.find("battery unknown"), std::string::npos) << early.detail;
    EXPECT_EQ(early.detail.find('%'), std::string::npos) << "no level is invented: " << early.detail;
    EXPECT_TRUE(charge_gate(std::nullopt, 3h, c).met);
}

TEST(StorageGate, UnknownFreeStorageIsNotEnough) {
    EXPECT_FALSE(storage_gate(std::nullopt, 0).met);
    EXPECT_FALSE(storage_gate(1023, 1024).met);
    EXPECT_TRUE(storage_gate(1024, 1024).met);
}

TEST(FirmwareGate, ModelRulesByMinimumOrList) {
    config::ChecksConfig checks;
    checks.firmware = {{"S1", "1.10", {}, 0}, {"X9", std::nullopt, {"2.0.1", "2.0.3"}, 0}};
    EXPECT_TRUE(firmware_gate(checks, "S1", "1.10.0").met);
    EXPECT_FALSE(firmware_gate(checks, "S1", "1.9").met) << "1.9 < 1.10 numerically";
    EXPECT_TRUE(firmware_gate(checks, "X9", "2.0.3").met);
    EXPECT_FALSE(firmware_gate(checks, "X9", "2.0.2").met);
    EXPECT_FALSE(firmware_gate(checks, "S1", std::nullopt).met) << "unknown firmware fails a rule";
    EXPECT_TRUE(firmware_gate(checks, "Other", std::nullopt).met) << "no rule: any firmware";
}

TEST(CompareVersions, NumericPartsAsNumbersOthersAsText) {
    EXPECT_LT(compare_versions("1.9", "1.10"), 0);
    EXPECT_EQ(compare_versions("2.0", "2.0"), 0);
    EXPECT_LT(compare_versions("2.0", "2.0.1"), 0);
    EXPECT_GT(compare_versions("2.0b", "2.0a"), 0);
    EXPECT_LT(compare_versions("99999999999999999999", "100000000000000000000"), 0) << "any length, no overflow";
    EXPECT_EQ(compare_versions("1.02", "1.2"), 0);
}

TEST(MeasureClock, AnUnreadableClockIsUnmeasuredAndNeverApplied) {
    const auto m = measure_clock(std::nullopt, at(2026, 11, 23), 366 * 24h, true);
    EXPECT_FALSE(m.offset_ms);
    EXPECT_FALSE(m.device_time);
    EXPECT_EQ(m.station_time, "2026-11-23T00:00:00.000Z");
    EXPECT_FALSE(applied_offset(m));
    EXPECT_EQ(corrected_time(at(2026, 1, 1), applied_offset(m)), at(2026, 1, 1));
}

TEST(MeasureClock, APlausibleOffsetCorrectsRecordingTimes) {
    const auto station = at(2026, 11, 23);
    const auto m = measure_clock(station - 93500ms, station, 366 * 24h, false);
    ASSERT_TRUE(m.offset_ms);
    EXPECT_EQ(*m.offset_ms, -93500);
    EXPECT_TRUE(m.plausible);
    EXPECT_FALSE(m.host_synced);
    EXPECT_EQ(corrected_time(at(2026, 11, 22), applied_offset(m)), at(2026, 11, 22) + 93500ms);
}

TEST(MeasureClock, ClocksOutsideTheWindowAreRecordedAsReadButNotApplied) {
    const auto station = at(2026, 11, 23);
    for (const auto device : {at(1999, 12, 31), at(2100, 1, 1), at(9999, 12, 31), at(1, 1, 1), station + 367 * 24h}) {
        const auto m = measure_clock(device, station, 366 * 24h, true);
        ASSERT_TRUE(m.offset_ms);
        EXPECT_EQ(*m.offset_ms, to_unix_ms(device) - to_unix_ms(station)) << "the sign is the reading's";
        EXPECT_FALSE(m.plausible);
        EXPECT_FALSE(applied_offset(m));
    }
    EXPECT_EQ(measure_clock(at(9999, 12, 31), station, 24h, true).device_time, "9999-12-31T00:00:00.000Z");
    EXPECT_EQ(measure_clock(at(1, 1, 1), station, 24h, true).device_time, "0001-01-01T00:00:00.000Z");
}

TEST(MeasureClock, Int64ExtremesNeitherOverflowNorFormat) {
    const auto lo = millis_time(INT64_MIN), hi = millis_time(INT64_MAX);
    const auto m = measure_clock(hi, lo, 24h, true);
    EXPECT_FALSE(m.offset_ms) << "INT64_MAX - INT64_MIN does not fit: not measured";
    EXPECT_FALSE(m.plausible);
    EXPECT_FALSE(measure_clock(hi, at(2026, 1, 1), 24h, true).device_time) << "beyond RFC 3339's years";
    EXPECT_FALSE(corrected_time(lo, 1));
    EXPECT_FALSE(corrected_time(hi, -1));
    EXPECT_EQ(corrected_time(lo, 0), lo);
}

TEST(Rfc3339, WritesYears0001To9999AndNothingBeyond) {
    EXPECT_EQ(rfc3339(millis_time(rfc3339_min_ms)), "0001-01-01T00:00:00.000Z");
    EXPECT_EQ(rfc3339(millis_time(rfc3339_max_ms)), "9999-12-31T23:59:59.999Z");
    EXPECT_EQ(rfc3339(millis_time(-1)), "1969-12-31T23:59:59.999Z");
    EXPECT_FALSE(rfc3339(millis_time(rfc3339_min_ms - 1)));
    EXPECT_FALSE(rfc3339(millis_time(rfc3339_max_ms + 1)));
    EXPECT_EQ(utc_year(millis_time(INT64_MAX)), 292278994);
    EXPECT_LT(utc_year(millis_time(INT64_MIN)), -292000000);
}

TEST(FilingTime, AnImplausibleRecordingTimeNeverNamesAPath) {
    const auto ingested = at(2026, 11, 23);
    EXPECT_EQ(filing_time(at(2026, 11, 20), ingested), at(2026, 11, 20));
    EXPECT_EQ(filing_time(at(1734, 8, 23), ingested), ingested);
    EXPECT_EQ(filing_time(std::nullopt, ingested), ingested);
}

TEST(ObjectName, A255ByteNameKeepsItsHashPrefixExtensionAndFits) {
    const std::string sha = "0123456789abcdef" + std::string(48, 'e');
    const std::string name = std::string(120, 'n') +
                             "长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长" +
                             ".mp4";
    const std::string out = ingest::object_name(sha, "DCIM/" + name);
    EXPECT_LE(out.size(), 255u);
    EXPECT_EQ(out.rfind("0123456789abcdef-nnn", 0), 0u) << out;
    EXPECT_EQ(out.substr(out.size() - 4), ".mp4");
    // The cut falls between UTF-8 characters: the stem decodes whole.
    const std::string stem = out.substr(17, out.size() - 21);
    EXPECT_EQ((stem.size() - 120) % 3, 0u) << stem;
    EXPECT_EQ(ingest::object_name(sha, "short.mp4"), "0123456789abcdef-short.mp4");
    const std::string no_ext(300, 'z');
    EXPECT_EQ(ingest::object_name(sha, no_ext).size(), 255u);
}

}  // namespace
}  // namespace dockd::bay
