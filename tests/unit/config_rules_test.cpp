// Issue 14's configuration and rule arithmetic: retention classes and
// retain_until (seed R7), long-term copies against targets (R8), the
// description deadline in working days (R9), the approval switch (R6).
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

#include "daemon/common/time.hpp"
#include "daemon/config/config.hpp"
#include "daemon/config/rules.hpp"

namespace dockd::config {
namespace {

using namespace std::chrono_literals;

LoadResult parse(const std::string& yaml) {
    return parse_config(yaml, "/etc/dockd/dockd.yaml");
}

std::string dump(const LoadResult& r) {
    std::string s;
    for (const auto& e : r.errors) s += e.str() + "\n";
    return s;
}

bool has_error(const LoadResult& r, int line, const std::string& part) {
    for (const auto& e : r.errors)
        if (e.line == line && e.message.find(part) != std::string::npos) return true;
    return false;
}

TEST(RulesConfig, DefaultsFollowTheRegulations) {
    auto r = parse("station: {id: s1}\n");
    ASSERT_TRUE(r.config) << dump(r);
    const auto& c = r.config->retention;
    EXPECT_EQ(*c.duration_of("standard"), 90 * 24h);
    EXPECT_EQ(*c.duration_of("long_term"), 730 * 24h);
    EXPECT_EQ(c.long_term_copies, 2);
    EXPECT_EQ(c.describe.working_days, 2);
    EXPECT_EQ(c.describe.week, (std::vector<int>{1, 2, 3, 4, 5}));
    EXPECT_FALSE(r.config->api.require_approval_ref);
}

TEST(RulesConfig, ReadsEveryKey) {
    auto r = parse(R"(station: {id: s1}
upload:
  targets:
    - {url: "file:///a"}
    - {url: "s3://bkt", endpoint: "https://s3.example", object_lock: true}
    - {url: "file:///c"}
retention:
  classes: {standard: 30d, evidence: 3650d}
  long_term_copies: 3
  describe_deadline: 3 working days
  working_days: [mon, tue, wed, thu, fri, sat]
  holidays: ["2026-10-01"]
  make_up_days: ["2026-10-11"]
api: {require_approval_ref: true}
)");
    ASSERT_TRUE(r.config) << dump(r);
    const auto& c = *r.config;
    EXPECT_EQ(*c.retention.duration_of("standard"), 30 * 24h);
    EXPECT_EQ(*c.retention.duration_of("evidence"), 3650 * 24h);
    EXPECT_EQ(*c.retention.duration_of("long_term"), 730 * 24h);
    EXPECT_FALSE(c.retention.duration_of("other"));
    EXPECT_EQ(c.retention.long_term_copies, 3);
    EXPECT_EQ(c.retention.describe.working_days, 3);
    EXPECT_EQ(c.retention.describe.week.size(), 6u);
    EXPECT_EQ(c.retention.describe.holidays, std::vector<std::string>{"2026-10-01"});
    EXPECT_EQ(c.retention.describe.make_up_days, std::vector<std::string>{"2026-10-11"});
    EXPECT_TRUE(c.upload.targets[1].object_lock);
    EXPECT_FALSE(c.upload.targets[0].object_lock);
    EXPECT_TRUE(c.api.require_approval_ref);
}

TEST(RulesConfig, DescribeDeadlineMayBeADuration) {
    auto r = parse("station: {id: s1}\nretention: {describe_deadline: 36h}\n");
    ASSERT_TRUE(r.config) << dump(r);
    EXPECT_EQ(r.config->retention.describe.working_days, 0);
    EXPECT_EQ(r.config->retention.describe.after, 36h);
}

TEST(RulesConfig, FewerTargetsThanLongTermCopiesIsAnErrorAtItsLine) {
    auto r = parse("station: {id: s1}\nupload:\n  targets: [{url: \"file:///a\"}]\n");
    ASSERT_FALSE(r.config);
    EXPECT_TRUE(has_error(r, 3, "retention.long_term_copies is 2 but upload.targets lists 1 target")) << dump(r);
    r = parse(
        "station: {id: s1}\nupload:\n  targets: [{url: \"file:///a\"}, {url: \"file:///b\"}]\n"
        "retention:\n  long_term_copies: 3\n");
    EXPECT_TRUE(has_error(r, 5, "is 3 but upload.targets lists 2 targets")) << dump(r);
    r = parse("station: {id: s1}\nupload:\n  targets: [{url: \"file:///a\"}]\nretention: {long_term_copies: 1}\n");
    EXPECT_TRUE(r.config) << dump(r);
    // No target at all: nothing is archived, nothing to count.
    EXPECT_TRUE(parse("station: {id: s1}\n").config);
}

TEST(RulesConfig, BadValuesAreReportedAtTheirLines) {
    auto r = parse(R"(station: {id: s1}
retention:
  classes: {standard: 90d, long_term: 30d, Bad-Name: 1d, evidence: forever}
  long_term_copies: 0
  describe_deadline: soon
  working_days: [monday]
  holidays: ["2026-13-01"]
upload:
  targets: [{url: "file:///a", object_lock: true}]
)");
    ASSERT_FALSE(r.config);
    EXPECT_TRUE(has_error(r, 3, "long_term must be at least as long as standard")) << dump(r);
    EXPECT_TRUE(has_error(r, 3, "'Bad-Name' is not a class name")) << dump(r);
    EXPECT_TRUE(has_error(r, 3, "retention.classes.evidence: bad duration")) << dump(r);
    EXPECT_TRUE(has_error(r, 4, "retention.long_term_copies")) << dump(r);
    EXPECT_TRUE(has_error(r, 5, "is not \"N working days\"")) << dump(r);
    EXPECT_TRUE(has_error(r, 6, "expected mon, tue")) << dump(r);
    EXPECT_TRUE(has_error(r, 7, "expected a date YYYY-MM-DD")) << dump(r);
    EXPECT_TRUE(has_error(r, 9, "object_lock: not an option of a file:// target")) << dump(r);
}

TEST(RetainUntil, FromRecordedTimeOrIngestFlaggedAsSuch) {
    RetentionConfig r;
    r.classes.push_back({"evidence", 3650 * 24h});
    auto u = retain_until(r, "standard", "2026-01-01T00:00:00.000Z", "2026-01-02T08:00:00.000Z");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->at, "2026-04-01T00:00:00.000Z");
    EXPECT_EQ(u->basis, "recorded_at");
    u = retain_until(r, "evidence", "2026-01-01T00:00:00.000Z", "2026-01-02T08:00:00.000Z");
    EXPECT_EQ(u->at, "2035-12-30T00:00:00.000Z");
    // No recording time: the ingest time counts, and says so.
    u = retain_until(r, "standard", std::nullopt, "2026-01-02T08:00:00.000Z");
    EXPECT_EQ(u->at, "2026-04-02T08:00:00.000Z");
    EXPECT_EQ(u->basis, "ingested_at");
    // A recording time so old its retention ended before the station got it.
    u = retain_until(r, "standard", "2000-01-01T00:00:00.000Z", "2026-01-02T08:00:00.000Z");
    EXPECT_EQ(u->basis, "ingested_at");
    EXPECT_EQ(u->at, "2026-04-02T08:00:00.000Z");
    // A class no longer configured keeps at least long_term's period.
    u = retain_until(r, "removed", "2026-01-01T00:00:00.000Z", std::nullopt);
    EXPECT_EQ(u->at, "2028-01-01T00:00:00.000Z");
    EXPECT_FALSE(retain_until(r, "standard", std::nullopt, std::nullopt));
}

class DescribeDue : public ::testing::Test {
protected:
    void SetUp() override {
        if (const char* tz = std::getenv("TZ")) saved_ = tz, had_ = true;
        setenv("TZ", "Asia/Shanghai", 1);
        tzset();
    }
    void TearDown() override {
        if (had_)
            setenv("TZ", saved_.c_str(), 1);
        else
            unsetenv("TZ");
        tzset();
    }
    static std::string due(const DescribeDeadline& d, const char* ingested) {
        return rfc3339(describe_due(d, *parse_rfc3339(ingested)));
    }
    std::string saved_;
    bool had_ = false;
};

TEST_F(DescribeDue, EndOfTheSecondWorkingDayAfterIngestLocalTime) {
    DescribeDeadline d;  // 2 working days, Monday..Friday
    // Monday 2026-11-30 10:00 +08:00 -> end of Wednesday (local midnight = 16:00Z).
    EXPECT_EQ(due(d, "2026-11-30T02:00:00.000Z"), "2026-12-02T16:00:00.000Z");
    // Friday 2026-12-04 -> end of Tuesday 12-08.
    EXPECT_EQ(due(d, "2026-12-04T09:00:00.000Z"), "2026-12-08T16:00:00.000Z");
    // Saturday -> end of Tuesday as well.
    EXPECT_EQ(due(d, "2026-12-05T03:00:00.000Z"), "2026-12-08T16:00:00.000Z");
    // Friday 23:30 local is still Friday locally although Friday 15:30Z.
    EXPECT_EQ(due(d, "2026-12-04T15:30:00.000Z"), "2026-12-08T16:00:00.000Z");
}

TEST_F(DescribeDue, HolidaysAndMakeUpDays) {
    DescribeDeadline d;
    d.holidays = {"2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07"};
    d.make_up_days = {"2026-10-10"};  // a Saturday worked
    // Wednesday 2026-09-30: Thu-Wed are holidays except the weekend; Thu 10-08
    // is the first working day, Fri 10-09 the second.
    EXPECT_EQ(due(d, "2026-09-30T02:00:00.000Z"), "2026-10-09T16:00:00.000Z");
    // Thursday 10-08: Friday 10-09 and the make-up Saturday 10-10.
    EXPECT_EQ(due(d, "2026-10-08T02:00:00.000Z"), "2026-10-10T16:00:00.000Z");
    EXPECT_TRUE(is_working_day(d, "2026-10-10", 6));
    EXPECT_FALSE(is_working_day(d, "2026-10-01", 4));
}

TEST_F(DescribeDue, ADurationCountsFromIngest) {
    DescribeDeadline d;
    d.working_days = 0;
    d.after = 48h;
    EXPECT_EQ(due(d, "2026-12-04T09:00:00.000Z"), "2026-12-06T09:00:00.000Z");
}

}  // namespace
}  // namespace dockd::config
