// daemon/archive FileTarget on a real directory (DESIGN §7): an object holds
// exactly the offered bytes, confirmed by SHA-256; it is written once and
// never overwritten with different bytes; a failed put leaves no litter.
#include "daemon/archive/file_target.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/unit/support.hpp"

namespace dockd::archive {
using test_support::evp_sha256_hex;
namespace {

namespace fs = std::filesystem;

const std::string key = "media/ZFY0001/2026/11/23/0123456789abcdef-a.mp4";
const std::string station = "410402-ST01";

std::string pattern(std::size_t n, unsigned seed) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + seed + i / 509) & 0xFF);
    return s;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

ObjectInfo info_of(const std::string& content) {
    return {evp_sha256_hex(content), content.size()};
}

class FileTargetTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = tmp_.path();
        root_ = dir_ / "archive";
        fs::create_directories(root_);
        target_ = std::make_unique<FileTarget>("file://" + root_.string(), root_, station);
    }

    fs::path source(const std::string& name, const std::string& content) {
        const fs::path p = dir_ / name;
        std::ofstream(p, std::ios::binary) << content;
        return p;
    }
    // Every regular file under the archive root, relative to it: objects and
    // any temp file (".part") a put left behind, wherever it keeps them.
    std::vector<std::string> archive_files() const {
        std::vector<std::string> out;
        for (const auto& e : fs::recursive_directory_iterator(root_))
            if (!e.is_directory()) out.push_back(fs::relative(e.path(), root_).string());
        return out;
    }
    Result<void> put(const std::string& k, const fs::path& src, const ObjectInfo& info) {
        return target_->put_file(k, src, info, not_cancelled_);
    }

    test_support::TempDir tmp_{"archive"};
    fs::path dir_, root_;
    std::unique_ptr<FileTarget> target_;
    const std::atomic<bool> not_cancelled_{false};
};

TEST_F(FileTargetTest, PutFileStoresIdenticalBytesUnderTheKey) {
    const std::string content = pattern(3 * 1024 * 1024 + 17, 1);  // several 1 MiB buffers
    auto r = put(key, source("a.mp4", content), info_of(content));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(slurp(root_ / key), content);
    EXPECT_EQ(archive_files(), std::vector<std::string>{key});
}

TEST_F(FileTargetTest, EmptyFileIsArchivedToo) {
    auto r = put(key, source("empty.mp4", ""), info_of(""));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_TRUE(fs::exists(root_ / key));
    EXPECT_EQ(fs::file_size(root_ / key), 0u);
}

TEST_F(FileTargetTest, OfferingTheSameBytesAgainSucceedsAndKeepsOneObject) {
    const std::string content = pattern(200'000, 2);
    const fs::path src = source("a.mp4", content);
    ASSERT_TRUE(put(key, src, info_of(content)).ok());
    const auto inode = fs::hard_link_count(root_ / key);
    auto again = put(key, src, info_of(content));
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(archive_files(), std::vector<std::string>{key});
    EXPECT_EQ(fs::hard_link_count(root_ / key), inode);
    EXPECT_EQ(slurp(root_ / key), content);
}

TEST_F(FileTargetTest, DifferentBytesUnderAnExistingKeyAreAConflictAndNeverOverwrite) {
    const std::string original = pattern(200'000, 3);
    ASSERT_TRUE(put(key, source("a.mp4", original), info_of(original)).ok());
    const std::string other = pattern(200'000, 4);
    auto r = put(key, source("b.mp4", other), info_of(other));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("conflict"), std::string::npos) << r.error().message;
    EXPECT_EQ(failure_of(r.error()), Failure::conflict);
    EXPECT_EQ(slurp(root_ / key), original);
    EXPECT_EQ(archive_files(), std::vector<std::string>{key});
}

// One taxonomy: the class set where the cause is known travels with the
// error through context(); a file system's refusal is permanent; else transient.
TEST(FailureClass, TravelsWithTheErrorAndFallsBackOnErrno) {
    const Error denied = Error{"HTTP 403 AccessDenied", 0, Failure::credentials}.context("s3://b").context("file 7");
    EXPECT_EQ(failure_of(denied), Failure::credentials);
    EXPECT_EQ(denied.message, "file 7: s3://b: HTTP 403 AccessDenied");
    EXPECT_EQ(failure_of(sys_error("link /srv/a", ENAMETOOLONG)), Failure::permanent);
    EXPECT_EQ(failure_of(sys_error("write /srv/a", EROFS).context("file://")), Failure::permanent);
    EXPECT_EQ(failure_of(sys_error("write /srv/a", EIO)), Failure::transient);
    EXPECT_EQ(failure_of(Error{"connect: Connection refused"}), Failure::transient);
    EXPECT_STREQ(to_string(Failure::no_bucket), "no_bucket");
    EXPECT_STREQ(to_string(Failure::unclassified), "unclassified");
}

TEST_F(FileTargetTest, SameSizeDifferentContentIsStillAConflict) {
    const std::string original = "AAAA";
    ASSERT_TRUE(target_->put_bytes(key, original).ok());
    auto r = put(key, source("b", "AAAB"), info_of("AAAB"));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("conflict"), std::string::npos) << r.error().message;
    EXPECT_EQ(slurp(root_ / key), original);
}

TEST_F(FileTargetTest, SourceNotMatchingItsRecordedHashLeavesNoObjectAndNoTemp) {
    const std::string recorded = pattern(150'000, 5);
    std::string corrupted = recorded;
    corrupted[70'000] = static_cast<char>(corrupted[70'000] ^ 0x10);  // one bit rotted in staging
    auto r = put(key, source("a.mp4", corrupted), info_of(recorded));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("sha256"), std::string::npos) << r.error().message;
    EXPECT_FALSE(fs::exists(root_ / key));
    EXPECT_TRUE(archive_files().empty()) << "left " << archive_files().front();
    // The real bytes can still be archived afterwards.
    ASSERT_TRUE(put(key, source("good.mp4", recorded), info_of(recorded)).ok());
    EXPECT_EQ(slurp(root_ / key), recorded);
}

TEST_F(FileTargetTest, MissingSourceFailsWithoutLitter) {
    auto r = put(key, dir_ / "gone.mp4", info_of("x"));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("gone.mp4"), std::string::npos) << r.error().message;
    EXPECT_TRUE(archive_files().empty());
}

TEST_F(FileTargetTest, CancelledUploadLeavesNoObjectAndNoTemp) {
    const std::string content = pattern(100'000, 6);
    const std::atomic<bool> cancelled{true};
    auto r = target_->put_file(key, source("a.mp4", content), info_of(content), cancelled);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("cancelled"), std::string::npos) << r.error().message;
    EXPECT_TRUE(archive_files().empty());
}

TEST_F(FileTargetTest, PutBytesWritesOnceAndIsIdempotent) {
    const std::string manifest = R"({"schema":"dockd.manifest/1","files":[]})";
    const std::string mkey = "manifests/410402-ST01/D1.json";
    ASSERT_TRUE(target_->put_bytes(mkey, manifest).ok());
    EXPECT_EQ(slurp(root_ / mkey), manifest);
    auto again = target_->put_bytes(mkey, manifest);
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(archive_files(), std::vector<std::string>{mkey});

    auto changed = target_->put_bytes(mkey, R"({"schema":"dockd.manifest/1","files":[1]})");
    ASSERT_FALSE(changed.ok());
    EXPECT_NE(changed.error().message.find("conflict"), std::string::npos) << changed.error().message;
    EXPECT_EQ(slurp(root_ / mkey), manifest);
}

TEST_F(FileTargetTest, MakeTargetBuildsAFileTargetForFileUrls) {
    config::TargetConfig cfg;
    cfg.url = "file://" + root_.string();
    cfg.kind = config::TargetKind::file;
    cfg.file_root = root_;
    auto t = make_target(cfg, station);
    ASSERT_TRUE(t.ok()) << t.error().message;
    EXPECT_EQ((*t)->url(), cfg.url);
    ASSERT_TRUE((*t)->put_bytes("x/y.txt", "hello").ok());
    EXPECT_EQ(slurp(root_ / "x/y.txt"), "hello");
}

TEST_F(FileTargetTest, RecoverSweepsOnlyThisStationsLeftoversAndKeepsObjects) {
    ASSERT_TRUE(target_->put_bytes(key, "footage").ok());
    const fs::path mine = root_ / ".incoming" / station;
    const fs::path theirs = root_ / ".incoming" / "410402-ST02";
    fs::create_directories(mine);
    fs::create_directories(theirs);
    std::ofstream(mine / "123.part") << "half an upload";
    std::ofstream(theirs / "456.part") << "another station's upload in flight";
    auto r = target_->recover();
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_FALSE(fs::exists(mine / "123.part"));
    EXPECT_TRUE(fs::exists(theirs / "456.part"));
    EXPECT_EQ(slurp(root_ / key), "footage");
}

TEST_F(FileTargetTest, RecoverOnAFreshTargetSucceeds) {
    auto r = target_->recover();
    EXPECT_TRUE(r.ok()) << r.error().message;
}

}  // namespace
}  // namespace dockd::archive
