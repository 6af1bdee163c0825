// Civil-date arithmetic and strict parsing of the times the API and the
// recorders hand the station (issue 12: no nanosecond overflow, no 2027-02-31).
#include "daemon/common/time.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace dockd {
namespace {

TEST(CivilDays, MatchesTheStandardCalendarOnEveryDayOfYears0001To9999) {
    using namespace std::chrono;
    for (auto day = sys_days(year(1) / January / 1); day <= sys_days(year(9999) / December / 31); day += days(1)) {
        const year_month_day ymd(day);
        ASSERT_EQ(days_from_civil(static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                                  static_cast<unsigned>(ymd.day())),
                  day.time_since_epoch().count());
    }
}

TEST(CivilDays, KnowsMonthLengthsAndLeapYears) {
    EXPECT_TRUE(valid_civil(2024, 2, 29));
    EXPECT_TRUE(valid_civil(2000, 2, 29));
    EXPECT_FALSE(valid_civil(1900, 2, 29));
    EXPECT_FALSE(valid_civil(2027, 2, 29));
    EXPECT_FALSE(valid_civil(2027, 2, 31));
    EXPECT_FALSE(valid_civil(2027, 4, 31));
    EXPECT_FALSE(valid_civil(9999, 99, 99));
    EXPECT_FALSE(valid_civil(0, 1, 1));
    EXPECT_TRUE(valid_civil(9999, 12, 31));
}

TEST(ParseDate, CoversYears0001To9999WithoutOverflow) {
    EXPECT_EQ(to_unix_ms(*parse_date_ms("0001-01-01")), rfc3339_min_ms);
    EXPECT_EQ(to_unix_ms(*parse_date_ms("9999-12-31")), rfc3339_max_ms + 1 - 86'400'000);
    EXPECT_EQ(to_unix_ms(*parse_date_ms("1970-01-01")), 0);
    EXPECT_EQ(rfc3339(*parse_date_ms("1600-02-29")), "1600-02-29T00:00:00.000Z");
}

TEST(ParseDate, RefusesDaysThatDoNotExistAndSloppyText) {
    for (const char* bad : {"9999-99-99", "2027-02-31", "2023-02-29", "0000-01-01", "2026-13-01", "2026-00-10",
                            "2026-1-01", "+026-01-01", " 2026-01-01", "2026-01-01 ", "2026/01/01", "", "yesterday"})
        EXPECT_FALSE(parse_date_ms(bad).has_value()) << bad;
}

TEST(ParseRfc3339, ReadsTheWholeRangeToTheMillisecond) {
    EXPECT_EQ(to_unix_ms(*parse_rfc3339_ms("9999-12-31T23:59:59.999Z")), rfc3339_max_ms);
    EXPECT_EQ(to_unix_ms(*parse_rfc3339_ms("0001-01-01T00:00:00Z")), rfc3339_min_ms);
    EXPECT_EQ(to_unix_ms(*parse_rfc3339_ms("2026-11-23T18:02:11.25Z")), 1795456931250);
    EXPECT_EQ(to_unix_ms(*parse_rfc3339_ms("2026-11-23T18:02:11.2509999Z")), 1795456931250);
    EXPECT_EQ(rfc3339(*parse_rfc3339_ms("1066-10-14T09:30:00.000Z")), "1066-10-14T09:30:00.000Z");
}

TEST(ParseRfc3339, RefusesTimesOfDayThatDoNotExist) {
    for (const char* bad :
         {"2026-01-01T25:61:61Z", "2026-01-01T24:00:00Z", "2026-01-01T23:60:00Z", "2026-01-01T23:59:60Z",
          "2027-02-31T00:00:00Z", "9999-99-99T00:00:00Z", "2026-01-01T00:00:00", "2026-01-01T00:00:00.Z",
          "2026-01-01T0:00:00Z", "2026-01-01 00:00:00Z", "2026-01-01T00:00:00ZZ", "2026-01-01T-1:00:00Z"})
        EXPECT_FALSE(parse_rfc3339_ms(bad).has_value()) << bad;
}

TEST(ParseRfc3339, SystemTimeOnlyWhereNanosecondsFit) {
    const auto t = parse_rfc3339("2026-11-23T18:02:11.250Z");
    ASSERT_TRUE(t);
    EXPECT_EQ(rfc3339(*t), "2026-11-23T18:02:11.250Z");
    EXPECT_FALSE(parse_rfc3339("9999-12-31T00:00:00Z").has_value());
    EXPECT_FALSE(parse_rfc3339("0001-01-01T00:00:00Z").has_value());
}

}  // namespace
}  // namespace dockd
