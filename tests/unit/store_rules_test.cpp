// The store's queries behind issue 14 on a real SQLite file: described_at
// kept by the annotation trigger (seed R9), long-term files short of copies
// (R8), and the review statistics (R12) per officer, recorder and unit.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "daemon/custody/store.hpp"
#include "tests/unit/support.hpp"

namespace dockd::custody {
namespace {

const std::vector<std::string> targets = {"file:///a", "file:///b"};

class StoreRulesTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto s = Store::open(tmp_.path() / "custody.db");
        ASSERT_TRUE(s.ok()) << s.error().message;
        store_ = std::move(*s);
    }
    std::string dock(const std::string& serial, const std::string& officer, const std::string& unit) {
        return store_->open_docking(1, {serial, "Sim", "S1", "1.0"}, OfficerRecord{officer, "N", unit, "U"}).id;
    }
    std::int64_t stage(const std::string& docking, const std::string& serial, int n, const std::string& ingested) {
        StagedFile f;
        f.docking_id = docking;
        f.serial = serial;
        f.device_path = "DCIM/v" + std::to_string(n) + ".mp4";
        f.size = 1000u * static_cast<unsigned>(n);
        f.device_mtime_ms = 1'780'000'000'000 + n;
        f.sha256 = std::string(63, 'a') + std::to_string(n % 10);
        f.staging_name = docking + "/" + std::to_string(n);
        f.object_key = "media/" + serial + "/v" + std::to_string(n) + ".mp4";
        f.recorded_at = "2026-11-23T10:00:00.000Z";
        f.ingested_at = ingested;
        return store_->commit_staged(f, targets);
    }

    test_support::TempDir tmp_{"store-rules"};
    std::unique_ptr<Store> store_;
};

TEST_F(StoreRulesTest, AnnotationsWithCaseOrCategoryDescribeFilesOfTheirDocking) {
    const auto d = dock("ZFY1", "004213", "U1");
    const auto a = stage(d, "ZFY1", 1, "2026-11-23T18:00:00.000Z");
    const auto b = stage(d, "ZFY1", 2, "2026-11-23T18:00:01.000Z");
    EXPECT_EQ(store_->undescribed("2026-11-30T00:00:00.000Z", 10).size(), 2u);
    // A note or place alone does not describe.
    Annotation note;
    note.file_id = a, note.note = "blurred", note.place = "Renmin Rd", note.by = "t";
    ASSERT_TRUE(store_->annotate(note));
    EXPECT_FALSE(store_->file(a)->described_at);
    Annotation c;
    c.file_id = a, c.case_no = "C-1", c.by = "t";
    ASSERT_TRUE(store_->annotate(c));
    EXPECT_TRUE(store_->file(a)->described_at);
    EXPECT_FALSE(store_->file(b)->described_at);
    const auto left = store_->undescribed("2026-11-30T00:00:00.000Z", 10);
    ASSERT_EQ(left.size(), 1u);
    EXPECT_EQ(left[0].file_id, b);
    EXPECT_EQ(left[0].officer_no, "004213");
    Annotation whole;
    whole.docking_id = d, whole.category = "traffic", whole.by = "t";
    ASSERT_TRUE(store_->annotate(whole));
    EXPECT_TRUE(store_->undescribed("2026-11-30T00:00:00.000Z", 10).empty());
    EXPECT_EQ(store_->annotations_of_file(a)[0].place, "Renmin Rd");
}

// The counts per officer and day read whole dockings from docking_totals
// where that is exact and walk the files elsewhere: they must equal the
// file-by-file list in every case (one day, across midnight, across the
// cutoff, partly described, described whole).
TEST_F(StoreRulesTest, UndescribedCountsEqualTheFileByFileList) {
    setenv("TZ", "UTC", 1);  // local day = the date of the UTC time, for the expected side
    tzset();
    const std::string cutoff = "2026-11-25T12:00:00.000Z";
    const auto one_day = dock("ZFY1", "004213", "U1");
    for (int n = 1; n <= 3; ++n) stage(one_day, "ZFY1", n, "2026-11-23T10:0" + std::to_string(n) + ":00.000Z");
    const auto midnight = dock("ZFY2", "004213", "U1");
    stage(midnight, "ZFY2", 4, "2026-11-23T23:59:00.000Z");
    stage(midnight, "ZFY2", 5, "2026-11-24T00:01:00.000Z");
    const auto straddling = dock("ZFY3", "004777", "U2");
    stage(straddling, "ZFY3", 6, "2026-11-25T11:59:00.000Z");
    stage(straddling, "ZFY3", 7, "2026-11-25T12:01:00.000Z");
    const auto partly = dock("ZFY4", "004777", "U2");
    const auto first = stage(partly, "ZFY4", 8, "2026-11-24T08:00:00.000Z");
    stage(partly, "ZFY4", 9, "2026-11-24T09:00:00.000Z");
    const auto described = dock("ZFY5", "004888", "U3");
    stage(described, "ZFY5", 10, "2026-11-24T08:00:00.000Z");
    Annotation c;
    c.file_id = first, c.case_no = "C-9", c.by = "t";
    ASSERT_TRUE(store_->annotate(c));
    Annotation whole;
    whole.docking_id = described, whole.category = "traffic", whole.by = "t";
    ASSERT_TRUE(store_->annotate(whole));

    std::map<std::pair<std::string, std::string>, std::pair<std::int64_t, std::string>> want;
    for (const auto& f : store_->undescribed(cutoff, 1000)) {
        auto& [n, oldest] = want[{f.officer_no, f.ingested_at.substr(0, 10)}];
        if (n++ == 0 || f.ingested_at < oldest) oldest = f.ingested_at;
    }
    std::map<std::pair<std::string, std::string>, std::pair<std::int64_t, std::string>> got;
    for (const auto& c : store_->undescribed_counts(cutoff))
        got[{c.officer_no, c.day}] = {c.files, c.oldest_ingested_at};
    EXPECT_EQ(got, want);
    EXPECT_EQ(want.size(), 4u);  // 004213 on the 23rd and 24th, 004777 on the 24th and 25th
}

TEST_F(StoreRulesTest, LongTermFilesShortOfCopiesUntilEveryTargetConfirms) {
    const auto d = dock("ZFY2", "004213", "U1");
    const auto f = stage(d, "ZFY2", 1, "2026-11-23T18:00:00.000Z");
    const auto other = stage(d, "ZFY2", 2, "2026-11-23T18:00:00.000Z");
    for (const auto& t : targets) store_->mark_uploaded(other, t);
    ASSERT_EQ(store_->retain_file(f, "dispute", "t"), 1);
    EXPECT_EQ(store_->long_term_short_of_copies("2026-11-24T00:00:00.000Z", 2), 1);
    store_->mark_uploaded(f, targets[0]);
    EXPECT_EQ(store_->long_term_short_of_copies("2026-11-24T00:00:00.000Z", 2), 1);
    EXPECT_EQ(store_->file(f)->state, FileState::staged);
    store_->mark_uploaded(f, targets[1]);
    EXPECT_EQ(store_->long_term_short_of_copies("2026-11-24T00:00:00.000Z", 2), 0);
    EXPECT_EQ(store_->file(f)->state, FileState::archived);
    // A target added later re-opens it: archived no longer until it confirms.
    EXPECT_EQ(store_->queue_missing_copies({targets[0], targets[1], "file:///c"}), 1);
    EXPECT_EQ(store_->file(f)->state, FileState::staged);
    EXPECT_EQ(store_->long_term_short_of_copies("2026-11-24T00:00:00.000Z", 3), 1);
    EXPECT_FALSE(store_->queue_summary(0).oldest_unarchived_age_ms) << "the upload deadline was met";
    // A class change alone is a change.
    EXPECT_EQ(store_->retain_file(f, "dispute", "t", std::string("evidence")), 1);
    EXPECT_EQ(store_->file(f)->class_name(), "evidence");
    EXPECT_EQ(store_->retain_file(f, "dispute", "t", std::string("evidence")), 0);
}

TEST_F(StoreRulesTest, StatsPerOfficerRecorderAndUnit) {
    const auto d1 = dock("ZFY3", "004213", "U1");
    stage(d1, "ZFY3", 1, "2026-11-23T18:00:00.000Z");
    stage(d1, "ZFY3", 2, "2026-11-23T18:00:00.000Z");
    store_->close_docking(d1, std::nullopt, "removed");
    const auto d2 = dock("ZFY4", "004777", "U1");
    stage(d2, "ZFY4", 3, "2026-11-23T18:00:00.000Z");
    DescribeDue due;
    due.after_s = 3600;
    auto rows = store_->stats("officer", std::nullopt, std::nullopt, due, "2026-11-23T18:30:00.000Z");
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].group, "004213");
    EXPECT_EQ((std::vector<std::int64_t>{rows[0].dockings, rows[0].files, rows[0].bytes}),
              (std::vector<std::int64_t>{1, 2, 3000}));
    EXPECT_EQ(rows[0].described_late, 0) << "not due yet at 18:30";
    rows = store_->stats("unit", std::nullopt, std::nullopt, due, "2026-11-23T20:00:00.000Z");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].files, 3);
    EXPECT_EQ(rows[0].described_late, 3) << "undescribed past 19:00";
    EXPECT_FALSE(rows[0].duration_s);
    // Working-day table: a due per local day of ingest.
    DescribeDue by_day;
    by_day.by_day = {{"2026-11-23", "2026-11-25T16:00:00.000Z"}, {"2026-11-24", "2026-11-26T16:00:00.000Z"}};
    rows = store_->stats("recorder", std::nullopt, std::nullopt, by_day, "2026-11-30T00:00:00.000Z");
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].group, "ZFY3");
    EXPECT_EQ(rows[0].described_late, 2);
    EXPECT_TRUE(store_->stats("shift", std::nullopt, std::nullopt, due, "x").empty());
}

}  // namespace
}  // namespace dockd::custody
