// The ledger and access register as CSV, and upload failure reasons in /metrics.
#include <gtest/gtest.h>

#include "daemon/api/json_views.hpp"
#include "daemon/api/metrics.hpp"
#include "daemon/api/query.hpp"

namespace dockd::api {
namespace {

TEST(LedgerCsv, BomHeaderAndQuotedFields) {
    custody::LedgerRow r;
    r.docking_id = "D1";
    r.bay = 2;
    r.serial = "ZFY0001";
    r.vendor = "Sim";
    r.model = "S1";
    r.officer_no = "004213";
    r.officer_name = "张伟";
    r.unit_name = "城关派出所, \"二中队\"";
    r.docked_at = "2026-11-23T18:02:11.000Z";
    r.files = 3;
    r.bytes = 300;
    r.recorded_from = "2026-11-23T08:00:00.000Z";
    r.recorded_to = "2026-11-23T09:30:00.000Z";
    r.battery_in = 35;
    r.clock_offset_ms = -93500;
    const std::string csv = ledger_csv({r});
    ASSERT_EQ(csv.substr(0, 3), "\xEF\xBB\xBF");
    const auto header_end = csv.find("\r\n");
    EXPECT_EQ(csv.substr(3, header_end - 3),
              "docking_id,bay,serial,vendor,model,officer_no,officer_name,unit_name,docked_at,undocked_at,files,bytes,"
              "refused,recorded_from,recorded_to,recorded_span_s,battery_in,battery_out,clock_offset_ms,close_reason,"
              "kind,at,recorded_duration_s,truncated_files,previous_officer_no,assigned_by");
    EXPECT_EQ(csv.substr(header_end + 2),
              "D1,2,ZFY0001,Sim,S1,004213,张伟,\"城关派出所, \"\"二中队\"\"\",2026-11-23T18:02:11.000Z,,3,300,0,"
              "2026-11-23T08:00:00.000Z,2026-11-23T09:30:00.000Z,5400,35,,-93500,,docking,2026-11-23T18:02:11.000Z,,0,,"
              "\r\n");
}

// issue 14: probed duration in seconds (ms precision) and truncated count;
// an assignment row leaves what belongs to dockings empty.
TEST(LedgerCsv, DurationTruncatedAndAssignmentRows) {
    custody::LedgerRow d;
    d.docking_id = "D2";
    d.bay = 1;
    d.docked_at = "2026-11-23T18:00:00.000Z";
    d.recorded_duration_ms = 12'500;
    d.truncated_files = 1;
    custody::LedgerRow a;
    a.kind = "assignment";
    a.serial = "ZFY0001";
    a.officer_no = "004214";
    a.docked_at = "2026-11-23T19:00:00.000Z";
    a.previous_officer_no = "004213";
    a.assigned_by = "manager";
    const std::string csv = ledger_csv({d, a});
    EXPECT_NE(csv.find(",docking,2026-11-23T18:00:00.000Z,12.5,1,,\r\n"), std::string::npos) << csv;
    EXPECT_NE(csv.find("\r\n,,ZFY0001,,,004214,,,,,,,,,,,,,,,assignment,2026-11-23T19:00:00.000Z,,,004213,manager\r\n"),
              std::string::npos)
        << csv;
    const auto j = ledger_json({a}).as_array().at(0).as_object();
    EXPECT_TRUE(j.at("docking_id").is_null());
    EXPECT_TRUE(j.at("files").is_null());
    EXPECT_EQ(j.at("previous_officer_no").as_string(), "004213");
}

TEST(AccessCsv, FormulaLikeTextCannotRunInASpreadsheet) {
    custody::AccessEntry e{7, "2026-11-23T18:00:00.000Z", "=HYPERLINK(\"x\")", "viewer", "127.0.0.1", "file 1", "-1+2"};
    const std::string csv = access_csv({e});
    EXPECT_NE(csv.find(",\"'=HYPERLINK(\"\"x\"\")\",viewer,"), std::string::npos) << csv;
    EXPECT_NE(csv.find(",'-1+2\r\n"), std::string::npos) << csv;
}

TEST(LedgerSpan, SecondsBetweenFirstAndLastRecording) {
    EXPECT_EQ(span_s(std::string("2026-11-23T08:00:00.000Z"), std::string("2026-11-23T08:01:30.500Z")), 90);
    EXPECT_FALSE(span_s(std::nullopt, std::string("2026-11-23T08:00:00Z")).has_value());
    EXPECT_FALSE(span_s(std::string("garbage"), std::string("2026-11-23T08:00:00Z")).has_value());
}

TEST(LedgerSpan, WholeRangeOfDeviceClocksWithoutOverflow) {
    EXPECT_EQ(span_s(std::string("0001-01-01T00:00:00.000Z"), std::string("9999-12-31T23:59:59.999Z")),
              (rfc3339_max_ms - rfc3339_min_ms) / 1000);
}

TEST(DateParam, DaysAndTimesOfYears0001To9999AsStoreBounds) {
    EXPECT_EQ(date_param("2000-01-01", false)->at, "2000-01-01T00:00:00.000Z");
    EXPECT_EQ(date_param("2026-02-28", true)->at, "2026-03-01T00:00:00.000Z");  // "to" includes the whole day
    EXPECT_EQ(date_param("1600-01-01", true)->at, "1600-01-02T00:00:00.000Z");
    EXPECT_EQ(date_param("0001-01-01", false)->at, "0001-01-01T00:00:00.000Z");
    EXPECT_EQ(date_param("2026-11-23T18:02:11.5Z", true)->at, "2026-11-23T18:02:11.500Z");
    // The end of 9999-12-31 cannot be written in RFC 3339: no upper bound at all.
    const auto end = date_param("9999-12-31", true);
    ASSERT_TRUE(end);
    EXPECT_FALSE(end->at.has_value());
}

TEST(DateParam, RefusesDatesThatDoNotExist) {
    for (const char* bad : {"9999-99-99", "2027-02-31", "2026-01-01T25:61:61Z", "T25:61:61Z", "10000-01-01",
                            "2026-01-01T00:00:00+08:00", "yesterday"})
        EXPECT_FALSE(date_param(bad, false).has_value()) << bad;
}

}  // namespace
}  // namespace dockd::api
