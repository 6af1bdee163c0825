// Media facts in the custody store (issue 14): a file waits for its probe
// before it is uploaded or purged, the ledger sums probed durations and
// counts truncated recordings, and assignments are ledger rows of their own.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "daemon/custody/store.hpp"
#include "tests/unit/support.hpp"

namespace dockd::custody {
namespace {

class StoreMediaTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto s = Store::open(tmp_.path() / "custody.db");
        ASSERT_TRUE(s.ok()) << s.error().message;
        store_ = std::move(*s);
        docking_ =
            store_->open_docking(1, {"ZFY0001", "Sim", "S1", "1.0"}, OfficerRecord{"004213", "Zhang Wei", "", ""}).id;
    }
    std::int64_t commit(int n) {
        StagedFile f;
        f.docking_id = docking_;
        f.serial = "ZFY0001";
        f.device_path = "DCIM/v" + std::to_string(n) + ".mp4";
        f.size = 1000;
        f.device_mtime_ms = 1'780'000'000'000 + n;
        f.sha256 = std::string(63, 'a') + std::to_string(n);
        f.staging_name = docking_ + "/" + std::to_string(n);
        f.object_key = "media/ZFY0001/v" + std::to_string(n) + ".mp4";
        f.ingested_at = "2026-11-23T18:05:00.000Z";
        return store_->commit_staged(f, {"file:///srv/archive"});
    }
    static media::MediaFacts facts(const std::string& integrity, std::optional<std::int64_t> duration_ms) {
        media::MediaFacts m;
        m.integrity = integrity;
        m.duration_ms = duration_ms;
        return m;
    }

    test_support::TempDir tmp_{"store-media"};
    std::unique_ptr<Store> store_;
    std::string docking_;
};

TEST_F(StoreMediaTest, AFileIsUploadedOnlyOnceProbedWhileProbingIsRequired) {
    const auto id = commit(1);
    store_->require_media_probe(true);
    EXPECT_TRUE(store_->due_uploads(INT64_MAX, 10, {}).empty()) << "not probed yet";
    ASSERT_EQ(store_->files_to_probe(10).size(), 1u);
    EXPECT_EQ(store_->media_unprobed(docking_), 1);
    store_->record_media(id, facts("ok", 3000));
    EXPECT_EQ(store_->due_uploads(INT64_MAX, 10, {}).size(), 1u);
    EXPECT_TRUE(store_->files_to_probe(10).empty());
    EXPECT_EQ(store_->media_unprobed(docking_), 0);
    EXPECT_EQ(store_->file(id)->media->duration_ms, 3000);
    EXPECT_TRUE(store_->verify().ok);
}

TEST_F(StoreMediaTest, WithoutProbingFilesGoAtOnceAndMediaStaysUnknown) {
    const auto id = commit(1);
    store_->require_media_probe(false);
    EXPECT_EQ(store_->due_uploads(INT64_MAX, 10, {}).size(), 1u);
    EXPECT_FALSE(store_->file(id)->media.has_value());
}

TEST_F(StoreMediaTest, LedgerSumsProbedDurationsAndCountsTruncatedRecordings) {
    EXPECT_FALSE(store_->ledger(std::nullopt, std::nullopt)[0].recorded_duration_ms) << "nothing probed: null";
    store_->record_media(commit(1), facts("ok", 3000));
    store_->record_media(commit(2), facts("truncated", std::nullopt));  // no moov: no duration
    store_->record_media(commit(3), facts("ok", std::nullopt));         // a photo
    store_->record_media(commit(4), facts("truncated", 1500));
    const auto rows = store_->ledger(std::nullopt, std::nullopt);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].recorded_duration_ms, 4500);
    EXPECT_EQ(rows[0].truncated_files, 2);
    EXPECT_EQ(store_->truncated_files(docking_), (std::vector<std::string>{"DCIM/v2.mp4", "DCIM/v4.mp4"}));
    ASSERT_EQ(store_->truncated_since("2000-01-01T00:00:00Z").size(), 2u);
}

TEST_F(StoreMediaTest, AssignmentsAreLedgerRowsWithFromWhomAndByWhom) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    store_->assign("ZFY0001", {"004214", "Li Lei", "", ""}, "manual", "equipment-manager");
    store_->assign("ZFY0001", {"004215", "Han Meimei", "", ""}, "manual", "equipment-manager");
    const auto rows = store_->ledger(std::nullopt, std::nullopt);
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].kind, "docking");
    EXPECT_EQ(rows[1].kind, "assignment");
    EXPECT_EQ(rows[1].officer_no, "004214");
    EXPECT_EQ(rows[1].officer_name, "Li Lei");
    EXPECT_FALSE(rows[1].previous_officer_no);
    EXPECT_EQ(rows[2].previous_officer_no, std::optional<std::string>("004214"));
    EXPECT_EQ(rows[2].assigned_by, std::optional<std::string>("equipment-manager"));
    EXPECT_EQ(rows[2].serial, "ZFY0001");
    EXPECT_EQ(rows[2].vendor, "Sim");
}

}  // namespace
}  // namespace dockd::custody
