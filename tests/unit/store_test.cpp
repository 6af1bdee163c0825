// daemon/custody Store on a real SQLite file: files, upload queue, manifests,
// dockings and the ledger behave as the station and the central archive rely on.
#include "daemon/custody/store.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "tests/unit/support.hpp"

namespace dockd::custody {
namespace {

namespace fs = std::filesystem;

const std::string target_a = "file:///srv/archive";
const std::string target_b = "s3://central/footage";

class StoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = tmp_.path();
        auto s = Store::open(dir_ / "custody.db");
        ASSERT_TRUE(s.ok()) << s.error().message;
        store_ = std::move(*s);
    }
    void TearDown() override { store_.reset(); }

    std::string dock(int bay = 1, const std::string& serial = "ZFY0001") {
        return store_
            ->open_docking(bay, {serial, "Sim", "S1", "1.0"}, OfficerRecord{"004213", "Zhang Wei", "410402", "Traffic"})
            .id;
    }
    // A staged file with a distinct identity and staging name per `n`.
    StagedFile staged(const std::string& docking, int n, std::uint64_t size = 1000, bool important = false) {
        StagedFile f;
        f.docking_id = docking;
        f.serial = "ZFY0001";
        f.device_path = "DCIM/100MEDIA/v" + std::to_string(n) + ".mp4";
        f.size = size;
        f.device_mtime_ms = 1'780'000'000'000 + n;
        f.sha256 = std::string(63, 'a') + std::to_string(n % 10);
        f.staging_name = docking + "/" + std::to_string(n);
        f.object_key = "media/ZFY0001/2026/11/23/" + f.sha256.substr(0, 16) + "-v" + std::to_string(n) + ".mp4";
        f.recorded_at_device = "2026-11-23T10:00:00.000Z";
        f.recorded_at = "2026-11-23T10:01:33.500Z";
        f.ingested_at = "2026-11-23T18:05:00.000Z";
        f.important = important;
        return f;
    }
    std::vector<std::int64_t> due_ids(std::int64_t now_ms, int limit = 100, std::vector<std::int64_t> exclude = {}) {
        std::vector<std::int64_t> ids;
        for (const auto& j : store_->due_uploads(now_ms, limit, exclude)) ids.push_back(j.file_id);
        return ids;
    }

    test_support::TempDir tmp_{"store"};
    fs::path dir_;
    std::unique_ptr<Store> store_;
};

TEST_F(StoreTest, OpenDockingRecordsRecorderOfficerAndAuditEvent) {
    const auto before = store_->head().seq;
    const std::string id = dock(3);
    const auto d = store_->docking(id);
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->bay, 3);
    EXPECT_EQ(d->serial, "ZFY0001");
    EXPECT_EQ(d->officer_no, std::optional<std::string>("004213"));
    EXPECT_FALSE(d->undocked_at.has_value());
    EXPECT_EQ(store_->recorder("ZFY0001")->model, "S1");
    EXPECT_EQ(store_->officer("004213")->name, "Zhang Wei");
    EXPECT_EQ(store_->open_dockings(), std::vector<std::string>{id});
    EXPECT_EQ(store_->head().seq, before + 1);
}

TEST_F(StoreTest, CommittedFileIsFoundByItsDeviceIdentity) {
    const std::string d = dock();
    const StagedFile f = staged(d, 1);
    const std::int64_t id = store_->commit_staged(f, {target_a});
    const auto found = store_->find_file(f.serial, f.device_path, f.size, f.device_mtime_ms);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->id, id);
    EXPECT_EQ(found->state, FileState::staged);
    EXPECT_EQ(found->sha256, f.sha256);
    EXPECT_EQ(found->staging_name, f.staging_name);
    EXPECT_EQ(found->object_key, f.object_key);
    EXPECT_EQ(found->retention, "standard");
    // Same path but another size or mtime is another file.
    EXPECT_FALSE(store_->find_file(f.serial, f.device_path, f.size + 1, f.device_mtime_ms).has_value());
    EXPECT_FALSE(store_->find_file(f.serial, f.device_path, f.size, f.device_mtime_ms + 1).has_value());
    EXPECT_FALSE(store_->find_file("ZFY0002", f.device_path, f.size, f.device_mtime_ms).has_value());
}

TEST_F(StoreTest, SameRecorderFileCommittedTwiceThrowsAndLeavesOneRow) {
    const std::string d = dock();
    const StagedFile f = staged(d, 1);
    store_->commit_staged(f, {target_a});
    const auto head = store_->head();
    StagedFile again = f;
    again.staging_name = d + "/99";  // only the recorder identity repeats
    EXPECT_ANY_THROW(store_->commit_staged(again, {target_a}));
    EXPECT_EQ(store_->files_of_docking(d).size(), 1u);
    EXPECT_EQ(store_->head().seq, head.seq) << "a rolled-back commit must not leave an audit event";
    EXPECT_EQ(store_->due_uploads(0, 100, {}).size(), 1u);
    EXPECT_TRUE(store_->verify().ok);
}

TEST_F(StoreTest, RefusedFileRecordedTwiceKeepsOneRowAndOneAuditEvent) {
    const std::string d = dock();
    const auto before = store_->head().seq;
    store_->record_refused(d, "ZFY0001", "..\\x01/evil", 42, 7, "control byte in name");
    EXPECT_EQ(store_->head().seq, before + 1);
    store_->record_refused(d, "ZFY0001", "..\\x01/evil", 42, 7, "control byte in name");
    EXPECT_EQ(store_->head().seq, before + 1);
    const auto files = store_->files_of_docking(d);
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(files[0].state, FileState::refused);
    EXPECT_EQ(files[0].reason, std::optional<std::string>("control byte in name"));
    EXPECT_TRUE(store_->due_uploads(0, 100, {}).empty()) << "a refused file is never uploaded";
    EXPECT_TRUE(store_->verify().ok);
}

TEST_F(StoreTest, FileIsArchivedOnlyAfterEveryTargetConfirms) {
    const std::string d = dock();
    const std::int64_t id = store_->commit_staged(staged(d, 1), {target_a, target_b});
    store_->mark_uploaded(id, target_a);
    auto f = store_->files_of_docking(d).at(0);
    EXPECT_EQ(f.state, FileState::staged);
    EXPECT_FALSE(f.archived_at.has_value());
    EXPECT_TRUE(store_->archived_unpurged().empty());
    const auto left = store_->due_uploads(0, 100, {});
    ASSERT_EQ(left.size(), 1u);
    EXPECT_EQ(left[0].target, target_b);

    store_->mark_uploaded(id, target_b);
    f = store_->files_of_docking(d).at(0);
    EXPECT_EQ(f.state, FileState::archived);
    EXPECT_TRUE(f.archived_at.has_value());
    EXPECT_EQ(store_->archived_unpurged().size(), 1u);
    EXPECT_TRUE(store_->due_uploads(0, 100, {}).empty());
}

TEST_F(StoreTest, DueUploadsPutLongTermFirstThenOldest) {
    const std::string d = dock();
    const auto a = store_->commit_staged(staged(d, 1), {target_a});
    const auto b = store_->commit_staged(staged(d, 2), {target_a});
    const auto marked = store_->commit_staged(staged(d, 3, 1000, true), {target_a});
    const auto c = store_->commit_staged(staged(d, 4), {target_a});
    EXPECT_EQ(due_ids(0), (std::vector<std::int64_t>{marked, a, b, c}));
    EXPECT_EQ(store_->files_of_docking(d).at(2).retention, "long_term");
    EXPECT_EQ(due_ids(0, 2), (std::vector<std::int64_t>{marked, a}));
    const auto jobs = store_->due_uploads(0, 1, {});
    ASSERT_EQ(jobs.size(), 1u);
    EXPECT_EQ(jobs[0].staging_name, d + "/3");
    EXPECT_EQ(jobs[0].size, 1000u);
    EXPECT_EQ(jobs[0].target, target_a);
}

TEST_F(StoreTest, DueUploadsSkipExcludedFilesButStillFillTheLimit) {
    const std::string d = dock();
    const auto a = store_->commit_staged(staged(d, 1), {target_a});
    const auto b = store_->commit_staged(staged(d, 2), {target_a});
    const auto c = store_->commit_staged(staged(d, 3), {target_a});
    const auto e = store_->commit_staged(staged(d, 4), {target_a});
    EXPECT_EQ(due_ids(0, 2, {a, b}), (std::vector<std::int64_t>{c, e}));
    EXPECT_EQ(due_ids(0, 100, {b}), (std::vector<std::int64_t>{a, c, e}));
}

TEST_F(StoreTest, FailedUploadWaitsUntilItsNextAttempt) {
    const std::string d = dock();
    const auto a = store_->commit_staged(staged(d, 1), {target_a});
    const auto b = store_->commit_staged(staged(d, 2), {target_a});
    const std::int64_t now = 1'800'000'000'000;
    store_->mark_upload_retry(a, target_a, "connection refused", "transient", now + 60'000);
    EXPECT_EQ(due_ids(now), std::vector<std::int64_t>{b});
    EXPECT_EQ(due_ids(now + 59'999), std::vector<std::int64_t>{b});
    const auto later = store_->due_uploads(now + 60'000, 100, {});
    ASSERT_EQ(later.size(), 2u);
    EXPECT_EQ(later[0].file_id, a);
    EXPECT_EQ(later[0].attempts, 1);
}

TEST_F(StoreTest, QueueSummaryCountsPendingFailingAndDone) {
    const std::string d = dock();
    const auto a = store_->commit_staged(staged(d, 1), {target_a, target_b});
    const auto b = store_->commit_staged(staged(d, 2), {target_a});
    store_->commit_staged(staged(d, 3), {target_a});
    store_->mark_uploaded(a, target_a);
    store_->mark_uploaded(a, target_b);
    store_->mark_upload_retry(b, target_a, "403 InvalidAccessKeyId", "credentials", 5);
    const std::int64_t now = 1'800'000'000'000;
    const QueueSummary q = store_->queue_summary(now);
    EXPECT_EQ(q.done, 2);
    EXPECT_EQ(q.failing, 1);
    EXPECT_EQ(q.pending, 1);
    EXPECT_EQ(q.files_unarchived, 2);
    EXPECT_EQ(q.last_error, std::optional<std::string>("403 InvalidAccessKeyId"));
    ASSERT_TRUE(q.oldest_unarchived_age_ms.has_value());
    // ingested_at 2026-11-23T18:05:00Z = 1795457100000 ms since the epoch.
    EXPECT_EQ(*q.oldest_unarchived_age_ms, now - 1'795'457'100'000);
}

TEST_F(StoreTest, EmptyQueueSummaryIsAllZero) {
    const QueueSummary q = store_->queue_summary(0);
    EXPECT_EQ(q.pending + q.failing + q.done + q.files_unarchived, 0);
    EXPECT_FALSE(q.oldest_unarchived_age_ms.has_value());
    EXPECT_FALSE(q.last_error.has_value());
}

TEST_F(StoreTest, ManifestWaitsForFinishedOffloadAndEveryUpload) {
    const std::string d = dock();
    const auto a = store_->commit_staged(staged(d, 1), {target_a, target_b});
    const auto b = store_->commit_staged(staged(d, 2), {target_a, target_b});
    store_->mark_uploaded(a, target_a);
    store_->mark_uploaded(a, target_b);
    store_->mark_uploaded(b, target_a);
    store_->mark_uploaded(b, target_b);
    EXPECT_TRUE(store_->dockings_awaiting_manifest(target_a).empty()) << "offload still running";

    store_->finish_offload(d, 3, 0, 0, 0);
    const auto late = store_->commit_staged(staged(d, 3), {target_a, target_b});
    EXPECT_TRUE(store_->dockings_awaiting_manifest(target_a).empty()) << "one file not uploaded";
    store_->mark_uploaded(late, target_a);
    EXPECT_TRUE(store_->dockings_awaiting_manifest(target_a).empty()) << "one target still pending";
    store_->mark_uploaded(late, target_b);
    EXPECT_EQ(store_->dockings_awaiting_manifest(target_a), std::vector<std::string>{d});
    EXPECT_EQ(store_->dockings_awaiting_manifest(target_b), std::vector<std::string>{d});

    store_->mark_manifest_written(d, target_a);
    EXPECT_TRUE(store_->dockings_awaiting_manifest(target_a).empty());
    EXPECT_EQ(store_->dockings_awaiting_manifest(target_b), std::vector<std::string>{d});
}

TEST_F(StoreTest, SavedManifestDocReadsBackVerbatimAndIsAudited) {
    const std::string d = dock();
    EXPECT_FALSE(store_->manifest_doc(d).has_value());
    const auto before = store_->head().seq;
    const ManifestDoc doc{d, "manifests/410402-ST01/" + d + ".json", R"({"schema":"dockd.manifest/1"})",
                          std::string(128, 'f')};
    store_->save_manifest_doc(doc);
    const auto back = store_->manifest_doc(d);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->docking_id, doc.docking_id);
    EXPECT_EQ(back->object_key, doc.object_key);
    EXPECT_EQ(back->content, doc.content);
    EXPECT_EQ(back->signature_hex, doc.signature_hex);
    EXPECT_EQ(store_->head().seq, before + 1);
    // Signed once: a second signature for the same docking is refused.
    EXPECT_ANY_THROW(store_->save_manifest_doc(ManifestDoc{d, doc.object_key, "{}", std::string(128, '0')}));
    EXPECT_EQ(store_->manifest_doc(d)->content, doc.content);
}

TEST_F(StoreTest, ClosingADockingTwiceChangesNothingTheSecondTime) {
    const std::string d = dock();
    store_->close_docking(d, 88, "removed");
    const auto first = store_->docking(d);
    ASSERT_TRUE(first.has_value());
    ASSERT_TRUE(first->undocked_at.has_value());
    EXPECT_EQ(first->battery_out, std::optional<std::int64_t>(88));
    EXPECT_EQ(first->close_reason, std::optional<std::string>("removed"));
    EXPECT_TRUE(first->offload_done_at.has_value()) << "closed docking counts as offloaded";
    EXPECT_TRUE(store_->open_dockings().empty());
    const auto head = store_->head();

    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    store_->close_docking(d, 12, "restart");
    const auto second = store_->docking(d);
    EXPECT_EQ(second->undocked_at, first->undocked_at);
    EXPECT_EQ(second->battery_out, std::optional<std::int64_t>(88));
    EXPECT_EQ(second->close_reason, std::optional<std::string>("removed"));
    EXPECT_EQ(store_->head().seq, head.seq);
    EXPECT_TRUE(store_->verify().ok);
}

TEST_F(StoreTest, LedgerCountsFilesBytesAndRefusalsPerDocking) {
    const std::string d1 = dock(1);
    store_->record_health(d1, {35, 64'000'000'000, 10'000'000'000});
    store_->commit_staged(staged(d1, 1, 1000), {target_a});
    store_->commit_staged(staged(d1, 2, 2500), {target_a});
    store_->record_refused(d1, "ZFY0001", "../x", 9, 9, "'..' path component");
    store_->close_docking(d1, 90, "removed");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const std::string d2 = dock(2);

    const auto rows = store_->ledger(std::nullopt, std::nullopt);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].docking_id, d1);
    EXPECT_EQ(rows[0].bay, 1);
    EXPECT_EQ(rows[0].files, 2);
    EXPECT_EQ(rows[0].bytes, 3500);
    EXPECT_EQ(rows[0].refused, 1);
    EXPECT_EQ(rows[0].battery_in, std::optional<std::int64_t>(35));
    EXPECT_EQ(rows[0].battery_out, std::optional<std::int64_t>(90));
    EXPECT_EQ(rows[0].officer_name, "Zhang Wei");
    EXPECT_EQ(rows[0].unit_name, "Traffic");
    EXPECT_EQ(rows[0].vendor, "Sim");
    EXPECT_TRUE(rows[0].undocked_at.has_value());
    EXPECT_EQ(rows[1].docking_id, d2);
    EXPECT_EQ(rows[1].files, 0);
    EXPECT_EQ(rows[1].bytes, 0);
    EXPECT_FALSE(rows[1].undocked_at.has_value());
}

TEST_F(StoreTest, LedgerFromIsInclusiveAndToIsExclusive) {
    const std::string d1 = dock(1);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const std::string d2 = dock(2);
    const std::string t2 = store_->docking(d2)->docked_at;
    ASSERT_LT(store_->docking(d1)->docked_at, t2);

    auto from = store_->ledger(t2, std::nullopt);
    ASSERT_EQ(from.size(), 1u);
    EXPECT_EQ(from[0].docking_id, d2);
    auto to = store_->ledger(std::nullopt, t2);
    ASSERT_EQ(to.size(), 1u);
    EXPECT_EQ(to[0].docking_id, d1);
    EXPECT_TRUE(store_->ledger(std::string("2999-01-01T00:00:00Z"), std::nullopt).empty());
    EXPECT_TRUE(store_->ledger(std::nullopt, std::string("2000-01-01T00:00:00Z")).empty());
}

TEST_F(StoreTest, EveryStoreOperationLeavesAVerifiableChain) {
    const std::string d = dock();
    store_->record_health(d, {50, 100, 50});
    store_->record_clock(d, {"2026-11-23T18:00:00.000Z", "2026-11-23T18:01:33.500Z", -93'500, true, true});
    store_->record_clock_set(d, ClockSet::confirmed, "");
    const auto id = store_->commit_staged(staged(d, 1), {target_a});
    store_->mark_verified(id, true, "reread");
    store_->mark_uploaded(id, target_a);
    store_->finish_offload(d, 1, 0, 0, 0);
    store_->close_docking(d, 100, "removed");
    const AuditVerdict v = store_->verify();
    EXPECT_TRUE(v.ok) << v.problem;
    EXPECT_EQ(v.length, 9);
    EXPECT_EQ(store_->docking(d)->clock_offset_ms, std::optional<std::int64_t>(-93'500));
}

}  // namespace
}  // namespace dockd::custody
