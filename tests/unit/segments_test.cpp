// The station's side of the archive's own proof (issue 10, DESIGN §11) on a
// real custody store: the audit chain cut into signed segments that start
// at seq 1 and follow each other with no gap or overlap, across restarts;
// the key_rotated row ending the segment its old key signs; amendments owed
// only after a docking's manifest; and the upload queue of an older station
// kept through the schema step that lets it carry publications.
#include <gtest/gtest.h>

#include "daemon/crypto/public_key.hpp"
#include "daemon/custody/audit_chain.hpp"
#include "daemon/custody/audit_segments.hpp"
#include "daemon/custody/migrations.hpp"
#include "daemon/upload/publisher.hpp"
#include "daemon/verify/documents.hpp"
#include "tests/unit/support.hpp"

namespace dockd::upload {
namespace {

using namespace std::chrono_literals;
const std::string target = "file:///srv/archive";

class Segments : public ::testing::Test {
protected:
    void SetUp() override {
        open();
        auto ring = crypto::KeyRing::open(tmp_.path(), store_->station_keys());
        ASSERT_TRUE(ring.ok()) << ring.error().message;
        ring_ = std::move(*ring);
        store_->register_first_key(ring_->keys().front());
        cfg_.station.id = "ST";
        cfg_.upload.segment_interval = 1h;
    }
    void open() {
        store_.reset();
        auto s = custody::Store::open(tmp_.path() / "custody.db");
        ASSERT_TRUE(s.ok()) << s.error().message;
        store_ = std::move(*s);
    }
    custody::Signer signer() {
        return [this](std::int64_t seq, std::string_view bytes) { return ring_->sign_at(seq, bytes); };
    }
    void events(int n, const std::string& text = "note") {
        for (int i = 0; i < n; ++i) store_->append_event("test", {{"i", i}, {"text", text}});
    }
    int cut(custody::SegmentLimits limits = {}) { return store_->cut_segments("ST", limits, signer(), {target}); }
    std::string body(const custody::SegmentRecord& s) {
        auto b = store_->publication_body(s.id);
        EXPECT_TRUE(b.ok()) << b.error().message;
        return b ? b->content : std::string();
    }
    std::string signature(const custody::SegmentRecord& s) {
        return store_->publication_body(s.id)->signature.value_or("");
    }
    bool signed_by(const custody::SegmentRecord& s, int key_no) {
        auto key = crypto::PublicKey::from_pem(ring_->keys().at(static_cast<std::size_t>(key_no - 1)).public_pem);
        return key && key->verify(body(s), signature(s));
    }
    std::vector<std::pair<std::int64_t, std::int64_t>> ranges() {
        std::vector<std::pair<std::int64_t, std::int64_t>> out;
        for (const auto& s : store_->segments()) out.emplace_back(s.first_seq, s.last_seq);
        return out;
    }

    test_support::TempDir tmp_{"segments"};
    std::unique_ptr<custody::Store> store_;
    std::unique_ptr<crypto::KeyRing> ring_;
    config::Config cfg_;
};

TEST_F(Segments, FirstStartsAtSeqOneAndEachNextWhereTheLastEnded) {
    events(5);
    EXPECT_EQ(cut(), 1);
    events(3);
    EXPECT_EQ(cut(), 1);
    using R = std::vector<std::pair<std::int64_t, std::int64_t>>;
    EXPECT_EQ(ranges(), (R{{1, 5}, {6, 8}}));
    EXPECT_EQ(store_->segments()[0].object_key, "audit/ST/000000000001-000000000005.jsonl");
    EXPECT_EQ(store_->segments()[1].object_key, "audit/ST/000000000006-000000000008.jsonl");
}

TEST_F(Segments, NothingNewCutsNothingAndPublishingDoesNotGrowTheChain) {
    events(2);
    ASSERT_EQ(cut(), 1);
    EXPECT_EQ(cut(), 0);
    const auto head = store_->head();
    const auto s = store_->segments().front();
    store_->mark_published(s.id, target);
    EXPECT_EQ(store_->head().seq, head.seq) << "a published segment is not itself an audit event";
    EXPECT_FALSE(store_->first_unpublished_row());
}

TEST_F(Segments, PublishedSegmentRecomputesEveryHashFromSeqOneAndVerifies) {
    events(6, "张伟 \"quoted\" back\\slash\nnew line \u0001");
    events(6);
    ASSERT_EQ(cut(), 1);
    const auto s = store_->segments().front();
    const auto parsed = verify::parse_segment(body(s));
    ASSERT_FALSE(parsed.problem) << *parsed.problem;
    ASSERT_EQ(parsed.rows.size(), 12u);
    const auto check = verify::check_rows(parsed.rows, 1, 12, custody::genesis_hash());
    EXPECT_TRUE(check.problems.empty()) << check.problems.front();
    EXPECT_EQ(check.last_hash, store_->head().hash);
    EXPECT_TRUE(signed_by(s, 1));
    EXPECT_EQ(test_support::evp_sha256_hex(body(s)), s.sha256);
}

TEST_F(Segments, SegmentsAreCappedInRowsAndInBytes) {
    events(7);
    ASSERT_EQ(cut({3, 1u << 20}), 3);
    using R = std::vector<std::pair<std::int64_t, std::int64_t>>;
    EXPECT_EQ(ranges(), (R{{1, 3}, {4, 6}, {7, 7}}));
    events(4, std::string(200, 'x'));
    cut({1000, 600});
    for (const auto& s : store_->segments()) {
        if (s.first_seq > 7) {
            EXPECT_LE(body(s).size(), 600u) << s.object_key;
        }
    }
    EXPECT_EQ(store_->segments().back().last_seq, 11);
}

TEST_F(Segments, KeyRotatedRowEndsTheSegmentTheOldKeySigns) {
    Publisher publisher(*store_, *ring_, cfg_, {target});
    events(3);
    auto rotated = publisher.rotate_key();
    ASSERT_TRUE(rotated.ok()) << rotated.error().message;
    const auto [key, row] = *rotated;
    EXPECT_EQ(key.key_no, 2);
    EXPECT_EQ(key.first_seq, row.seq + 1);
    ASSERT_EQ(store_->segments().size(), 1u);
    const auto closing = store_->segments().back();
    EXPECT_EQ(closing.last_seq, row.seq) << "the key_rotated row ends its segment";
    EXPECT_TRUE(signed_by(closing, 1));
    EXPECT_FALSE(signed_by(closing, 2));

    events(2);
    publisher.tick(true);
    const auto next = store_->segments().back();
    EXPECT_EQ(next.first_seq, row.seq + 1);
    EXPECT_TRUE(signed_by(next, 2));
    EXPECT_FALSE(signed_by(next, 1));
    // A restarted station signs with key 2, and still knows key 1 for old seqs.
    auto reopened = crypto::KeyRing::open(tmp_.path(), store_->station_keys());
    ASSERT_TRUE(reopened.ok()) << reopened.error().message;
    EXPECT_EQ((*reopened)->current().key_no, 2);
    auto pem_1 = crypto::PublicKey::from_pem(ring_->keys().front().public_pem);
    EXPECT_TRUE(pem_1->verify("x", *(*reopened)->sign_at(row.seq, "x")));
}

TEST_F(Segments, CutsSurviveAReopenWithoutGapOrOverlap) {
    events(4);
    ASSERT_EQ(cut(), 1);
    open();
    events(2);
    ASSERT_EQ(cut(), 1);
    using R = std::vector<std::pair<std::int64_t, std::int64_t>>;
    EXPECT_EQ(ranges(), (R{{1, 4}, {5, 6}}));
}

TEST_F(Segments, AmendmentIsOwedOnlyForChangesAfterTheManifest) {
    const auto docking = store_->open_docking(1, {"ZFY1", "Sim", "S1", "1.0"}, std::nullopt).id;
    custody::StagedFile f;
    f.docking_id = docking, f.serial = "ZFY1", f.device_path = "DCIM/a.mp4", f.size = 5;
    f.sha256 = std::string(64, 'a'), f.staging_name = docking + "/1", f.object_key = "media/ZFY1/a.mp4";
    const auto id = store_->commit_staged(f, {target});
    ASSERT_TRUE(store_->retain_file(id, "before the manifest", "test"));
    EXPECT_TRUE(store_->pending_amendments().empty());
    store_->save_manifest_doc({docking, "manifests/ST/" + docking + ".json", "{}", std::string(128, '0')});
    store_->annotate({0, id, std::nullopt, "CASE-1", "traffic", "after the manifest", "test", "", ""});
    ASSERT_EQ(store_->pending_amendments().size(), 1u);
    const auto owed = store_->pending_amendments().front();
    EXPECT_EQ(owed.docking_id, docking);

    Publisher publisher(*store_, *ring_, cfg_, {target});
    publisher.tick(false);
    EXPECT_TRUE(store_->pending_amendments().empty());
    bool found = false;
    for (const auto& job : store_->due_uploads(0, 100, {})) {
        if (job.object_key != custody::amendment_key("ST", docking, owed.seq)) continue;
        found = true;
        auto b = store_->publication_body(job.publication_id);
        ASSERT_TRUE(b.ok());
        auto view = verify::parse_amendment(b->content);
        ASSERT_TRUE(view.ok()) << view.error().message;
        EXPECT_EQ(view->audit_seq, owed.seq);
        ASSERT_EQ(view->changes.size(), 1u);
        EXPECT_EQ(view->changes[0].object, "media/ZFY1/a.mp4");
        EXPECT_TRUE(crypto::PublicKey::from_pem(ring_->current().public_pem)->verify(b->content, *b->signature));
    }
    EXPECT_TRUE(found) << "the amendment is queued for the target";
}

TEST_F(Segments, RowsQueuedAfterATargetRefusedUsWaitWithIt) {
    events(2);
    ASSERT_EQ(cut(), 1);
    const std::int64_t now = to_unix_ms(std::chrono::system_clock::now()), later = now + 3'600'000;
    const auto first = store_->due_uploads(now, 10, {});
    ASSERT_EQ(first.size(), 2u) << "key 1 and the first segment";
    store_->mark_publication_retry(first[0].publication_id, target, "HTTP 403 InvalidAccessKeyId", "credentials",
                                   later);
    store_->defer_target(target, "HTTP 403 InvalidAccessKeyId", "credentials", later);
    events(1);
    ASSERT_EQ(cut(), 1);  // queued after the refusal
    EXPECT_TRUE(store_->due_uploads(now, 10, {}).empty()) << "one request per retry.max, not one per cut";
    EXPECT_EQ(store_->due_uploads(later, 10, {}).size(), 3u);
}

TEST(SegmentPolicy, DueAfterAManifestOrOnceTheOldestRowWaitedTheInterval) {
    const auto now = std::chrono::system_clock::now();
    custody::AuditRow row{7, rfc3339(now - 10min), "test", "{}", ""};
    EXPECT_FALSE(segment_due(std::nullopt, true, now, 1h)) << "nothing to publish";
    EXPECT_TRUE(segment_due(row, true, now, 1h));
    EXPECT_FALSE(segment_due(row, false, now, 1h));
    EXPECT_TRUE(segment_due(row, false, now, 5min));
}

TEST(SegmentMigration, UploadQueueOfAnOlderStationIsKept) {
    test_support::TempDir tmp{"migration"};
    {
        auto db = custody::Database::open(tmp.path() / "custody.db");
        ASSERT_TRUE(db.ok());
        ASSERT_TRUE(custody::migrate(*db, 3).ok());
        db->exec(
            "INSERT INTO dockings(id, bay, serial, docked_at) VALUES('D1', 1, 'ZFY1', '2026-01-01T00:00:00Z');"
            "INSERT INTO files(id, docking_id, serial, device_path, size, device_mtime_ms, state) "
            "VALUES(7, 'D1', 'ZFY1', 'a.mp4', 5, 0, 'staged');"
            "INSERT INTO uploads(file_id, target, state, attempts, reason_class) "
            "VALUES(7, 'file:///a', 'pending', 3, 'transient');");
    }
    auto store = custody::Store::open(tmp.path() / "custody.db");
    ASSERT_TRUE(store.ok()) << store.error().message;
    const auto rows = (*store)->upload_rows(10);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].file_id, 7);
    EXPECT_EQ(rows[0].attempts, 3);
    EXPECT_EQ(rows[0].reason_class, std::optional<std::string>("transient"));
}

}  // namespace
}  // namespace dockd::upload
