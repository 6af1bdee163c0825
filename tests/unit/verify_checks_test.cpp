// dockd-verify's checks on a real file:// archive written by the station's
// own code (custody store, key ring, publisher, manifest, file target): a
// clean archive passes; each kind of damage is reported once, naming the
// object; the cache spares a second run every read; shards split the work
// without overlap; silence and the metrics file.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <thread>

#include "daemon/archive/file_target.hpp"
#include "daemon/common/hex.hpp"
#include "daemon/upload/manifest.hpp"
#include "daemon/upload/publisher.hpp"
#include "daemon/verify/report.hpp"
#include "daemon/verify/verifier.hpp"
#include "tests/unit/support.hpp"

namespace dockd::verify {
namespace {

namespace fs = std::filesystem;
using Found = std::set<std::pair<std::string, std::string>>;  // (check, object)

class VerifyChecks : public ::testing::Test {
protected:
    void SetUp() override {
        auto s = custody::Store::open(tmp_.path() / "custody.db");
        ASSERT_TRUE(s.ok());
        store_ = std::move(*s);
        auto ring = crypto::KeyRing::open(tmp_.path(), {});
        ASSERT_TRUE(ring.ok());
        ring_ = std::move(*ring);
        url_ = "file://" + (tmp_.path() / "archive").string();
        store_->register_first_key(ring_->keys().front());
        target_ = std::make_unique<archive::FileTarget>(url_, tmp_.path() / "archive", "ST");
        cfg_.station.id = "ST";
        publisher_ = std::make_unique<upload::Publisher>(*store_, *ring_, cfg_, std::vector<std::string>{url_},
                                                         custody::SegmentLimits{6, 1u << 20});
        fs::create_directories(tmp_.path() / "keys");
        std::ofstream(tmp_.path() / "keys" / "ST.pem") << ring_->keys().front().public_pem;
    }

    // One docking of `files` small files, archived with its signed manifest, then published.
    std::string docking(int files) {
        const auto id = store_->open_docking(1, {"ZFY1", "Sim", "S1", "1.0"}, std::nullopt).id;
        for (int i = 0; i < files; ++i) {
            const std::string content = "file " + std::to_string(i) + " of " + id;
            custody::StagedFile f;
            f.docking_id = id, f.serial = "ZFY1", f.device_path = "DCIM/" + std::to_string(i) + ".mp4";
            f.size = content.size(), f.device_mtime_ms = files_++, f.sha256 = test_support::evp_sha256_hex(content);
            f.staging_name = id + "/" + std::to_string(i);
            f.object_key = "media/ZFY1/" + f.sha256.substr(0, 16) + "-" + std::to_string(i) + ".mp4";
            const auto file_id = store_->commit_staged(f, {url_});
            EXPECT_TRUE(target_->put_bytes(f.object_key, content).ok());
            store_->mark_uploaded(file_id, url_);
        }
        store_->finish_offload(id, files, 0, 0, 0);
        auto m = upload::build_manifest(*store_, "ST", config::RetentionConfig{}, id);
        auto sig = ring_->sign_at(m->audit_seq, m->json);
        store_->save_manifest_doc({id, m->key, m->json, to_hex(*sig)});
        EXPECT_TRUE(target_->put_bytes(m->key, m->json).ok());
        EXPECT_TRUE(target_->put_bytes(m->key + ".sig", *sig).ok());
        store_->mark_manifest_written(id, url_);
        publish();
        return id;
    }
    void publish() {
        publisher_->tick(true);
        for (const auto& job : store_->due_uploads(0, 1000, {}))
            if (job.publication_id) {
                ASSERT_TRUE(publisher_->put(*target_, job.publication_id).ok());
                store_->mark_published(job.publication_id, url_);
            }
    }
    fs::path object(const std::string& key) { return tmp_.path() / "archive" / key; }
    std::vector<std::string> segments() {
        std::vector<std::string> out;
        for (const auto& s : store_->segments()) out.push_back(s.object_key);
        return out;
    }
    std::string media(const std::string& docking_id, int n) {
        return *store_->files_of_docking(docking_id).at(static_cast<std::size_t>(n)).object_key;
    }

    Found verify(Options o = {}, const fs::path& cache = {}) {
        o.keys_dir = tmp_.path() / "keys";
        config::TargetConfig t;
        t.url = url_;
        EXPECT_EQ(config::parse_target_url(t, "/"), "");
        o.targets = {t};
        auto state = State::open(cache);
        EXPECT_TRUE(state.ok());
        auto r = run(o, *state);
        EXPECT_TRUE(r.ok()) << r.error().message;
        last_ = r ? *r : RunResult{};
        Found found;
        auto st = state->db().prepare("SELECT check_name, object FROM findings");
        while (st.step()) found.emplace(st.text(0), st.text(1));
        return found;
    }

    test_support::TempDir tmp_{"verify"};
    std::unique_ptr<custody::Store> store_;
    std::unique_ptr<crypto::KeyRing> ring_;
    std::unique_ptr<archive::FileTarget> target_;
    std::unique_ptr<upload::Publisher> publisher_;
    config::Config cfg_;
    std::string url_;
    RunResult last_;
    int files_ = 0;
};

TEST_F(VerifyChecks, CleanArchivePasses) {
    docking(3);
    docking(2);
    EXPECT_EQ(verify(), Found{});
    ASSERT_EQ(last_.stations.size(), 1u);
    EXPECT_EQ(last_.stations[0].chain_last, store_->segments().back().last_seq);
    EXPECT_EQ(last_.stations[0].manifests, 2);
    EXPECT_GE(last_.stations[0].segments, 2);
}

TEST_F(VerifyChecks, MissingMiddleSegmentIsOneGap) {
    docking(3);
    docking(3);
    docking(3);
    const auto segs = segments();
    ASSERT_GE(segs.size(), 3u);
    const auto middle = segs[segs.size() / 2];
    fs::remove(object(middle));
    fs::remove(object(middle + ".sig"));
    EXPECT_EQ(verify(), (Found{{"chain_gap", middle}}));
}

TEST_F(VerifyChecks, DroppedLineNamesOnlyItsSegment) {
    docking(4);
    const auto seg = segments().front();
    std::ifstream in(object(seg));
    std::string line, kept;
    for (int n = 0; std::getline(in, line); ++n)
        if (n != 2) kept += line + "\n";
    fs::remove(object(seg));
    std::ofstream(object(seg)) << kept;
    EXPECT_EQ(verify(), (Found{{"segment_rows", seg}, {"segment_signature", seg}}));
}

TEST_F(VerifyChecks, AlteredAndTruncatedObjectsAreNamed) {
    const auto d = docking(3);
    const auto flipped = media(d, 0), cut = media(d, 1);
    {
        std::fstream f(object(flipped), std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(2);
        f.put('#');
    }
    fs::resize_file(object(cut), 3);
    EXPECT_EQ(verify(), (Found{{"object_sha256", flipped}, {"object_size", cut}}));
}

TEST_F(VerifyChecks, ManifestSignedWithAForeignKeyIsRefused) {
    const auto d = docking(2);
    auto foreign = crypto::StationKey::load_or_create(tmp_.path() / "foreign.key");
    const auto key = "manifests/ST/" + d + ".json";
    std::ifstream in(object(key));
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    fs::remove(object(key + ".sig"));
    std::ofstream(object(key + ".sig"), std::ios::binary) << foreign->sign(text);
    EXPECT_EQ(verify(), (Found{{"manifest_signature", key}}));
}

TEST_F(VerifyChecks, UnreferencedObjectAndMissingManifestAreReported) {
    const auto d = docking(2);
    std::ofstream(object("media/ZFY1/stray.mp4")) << "not from any docking";
    const auto key = "manifests/ST/" + d + ".json";
    fs::remove(object(key));
    fs::remove(object(key + ".sig"));
    EXPECT_EQ(verify(), (Found{{"unreferenced_object", "media/ZFY1/stray.mp4"}, {"manifest_missing", key}}));
}

TEST_F(VerifyChecks, SecondRunWithTheCacheReadsOnlyWhatIsNew) {
    docking(3);
    const auto cache = tmp_.path() / "cache.db";
    EXPECT_EQ(verify({}, cache), Found{});
    EXPECT_GT(last_.counts.read, 0u);
    EXPECT_EQ(verify({}, cache), Found{});
    EXPECT_EQ(last_.counts.read, 0u) << "nothing changed, nothing read";
    const auto before = last_.counts.listed;
    docking(2);
    EXPECT_EQ(verify({}, cache), Found{});
    EXPECT_EQ(last_.counts.read, last_.counts.listed - before) << "exactly the objects added since";
    Options full;
    full.full = true;
    EXPECT_EQ(verify(full, cache), Found{});
    EXPECT_EQ(last_.counts.read, last_.counts.listed);
}

TEST_F(VerifyChecks, ShardsSplitTheFindingsWithoutOverlap) {
    const auto d = docking(6);
    for (int i = 0; i < 6; ++i) fs::resize_file(object(media(d, i)), 1);
    const Found all = verify();
    ASSERT_EQ(all.size(), 6u);
    Found merged;
    std::size_t total = 0;
    for (int k = 1; k <= 3; ++k) {
        Options o;
        o.shard = k, o.shards = 3;
        const Found part = verify(o);
        total += part.size();
        merged.insert(part.begin(), part.end());
    }
    EXPECT_EQ(merged, all);
    EXPECT_EQ(total, all.size());
}

// A listing that lags behind the writes, as Swift's container listings do.
class LaggingListing final : public archive::Target {
public:
    LaggingListing(archive::Target& inner, std::string hidden) : inner_(inner), hidden_(std::move(hidden)) {}
    const std::string& url() const override { return inner_.url(); }
    Result<void> put_file(const std::string& k, const fs::path& p, const archive::ObjectInfo& i,
                          const std::atomic<bool>& c) override {
        return inner_.put_file(k, p, i, c);
    }
    Result<void> put_bytes(const std::string& k, std::string_view b) override { return inner_.put_bytes(k, b); }
    Result<void> recover() override { return {}; }
    Result<std::optional<archive::ObjectStat>> stat(const std::string& k) override { return inner_.stat(k); }
    Result<void> read(const std::string& k, const archive::ChunkSink& s, const std::atomic<bool>& c) override {
        return inner_.read(k, s, c);
    }
    Result<void> list(const std::string& prefix, const archive::ObjectVisitor& each) override {
        return inner_.list(prefix, [&](const archive::ObjectStat& o) -> Result<void> {
            return o.key == hidden_ ? Result<void>() : each(o);
        });
    }

private:
    archive::Target& inner_;
    std::string hidden_;
};

TEST_F(VerifyChecks, ObjectMissingFromALaggingListingIsAskedForByHead) {
    const auto d = docking(2);
    const auto late = media(d, 0);
    auto found = [&] {
        LaggingListing target(*target_, late);
        auto state = State::open({});
        Options o;
        std::map<std::string, std::string> enrolled{{"ST", ring_->keys().front().public_pem}};
        Counts counts;
        Progress progress(false);
        TargetPass(o, *state, target, enrolled, counts, progress).run();
        Found out;
        auto st = state->db().prepare("SELECT check_name, object FROM findings");
        while (st.step()) out.emplace(st.text(0), st.text(1));
        return out;
    };
    EXPECT_EQ(found(), Found{}) << "HEAD shows it: not missing";
    fs::remove(object(late));
    EXPECT_EQ(found(), (Found{{"object_missing", late}}));
}

TEST_F(VerifyChecks, SilenceAndMetricsFile) {
    docking(1);
    Options o;
    o.max_silence = std::chrono::milliseconds(1);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const Found found = verify(o);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found.begin()->first, "silence");
    auto state = State::open({});
    state->add({url_, "ST", "", "x", "silence", "old"});
    const auto file = tmp_.path() / "verify.prom";
    ASSERT_TRUE(write_metrics(file, *state, last_, 1.5).ok());
    std::ifstream in(file);
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    EXPECT_NE(text.find("dockd_verify_discrepancies{station=\"ST\"} 1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("dockd_verify_objects_checked "), std::string::npos);
    EXPECT_NE(text.find("dockd_verify_last_run_timestamp_seconds 1"), std::string::npos);
}

}  // namespace
}  // namespace dockd::verify
