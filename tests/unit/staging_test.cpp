// daemon/ingest staging + copier on a real temp directory: a file exists under
// its final name only complete, is never replaced, and is hashed in the same
// pass that copies it (DESIGN §3 offloading).
#include "daemon/staging/staging.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/ingest/copier.hpp"
#include "tests/unit/ingest_support.hpp"
#include "tests/unit/support.hpp"

namespace dockd::ingest {
using staging::StagingArea;
using staging::StagingWriter;
using test_support::evp_sha256_hex;
namespace {

namespace fs = std::filesystem;

class StagingTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = tmp_.path();
        area_ = std::make_unique<StagingArea>(dir_ / "staging");
        auto r = area_->prepare();
        ASSERT_TRUE(r.ok()) << r.error().message;
    }

    std::vector<std::string> temp_files() const {
        std::vector<std::string> out;
        for (const auto& e : fs::directory_iterator(area_->root() / ".tmp")) out.push_back(e.path().filename());
        return out;
    }
    void stage(const std::string& name, const std::string& content) {
        auto w = area_->begin(name);
        ASSERT_TRUE(w.ok()) << w.error().message;
        ASSERT_TRUE(w->write(bytes_of(content)).ok());
        auto c = w->commit();
        ASSERT_TRUE(c.ok()) << c.error().message;
    }

    test_support::TempDir tmp_{"staging"};
    fs::path dir_;
    std::unique_ptr<StagingArea> area_;
};

TEST_F(StagingTest, FileAppearsUnderFinalNameOnlyAfterCommit) {
    const std::string content = pattern(100'000);
    auto w = area_->begin("D1/1");
    ASSERT_TRUE(w.ok()) << w.error().message;
    ASSERT_TRUE(w->write(bytes_of(content)).ok());
    EXPECT_EQ(w->bytes_written(), content.size());
    EXPECT_FALSE(fs::exists(area_->path_of("D1/1")));
    EXPECT_EQ(temp_files().size(), 1u) << "the partial copy lives under .tmp/";

    auto c = w->commit();
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_EQ(slurp(area_->path_of("D1/1")), content);
    EXPECT_TRUE(temp_files().empty());
}

TEST_F(StagingTest, WriterDroppedWithoutCommitLeavesNothing) {
    {
        auto w = area_->begin("D1/1");
        ASSERT_TRUE(w.ok());
        ASSERT_TRUE(w->write(bytes_of(pattern(5000))).ok());
    }
    EXPECT_TRUE(temp_files().empty());
    EXPECT_FALSE(fs::exists(area_->path_of("D1/1")));
}

TEST_F(StagingTest, MovedWriterCommitsOnceAndLeavesNoTemp) {
    auto w = area_->begin("D1/1");
    ASSERT_TRUE(w.ok());
    StagingWriter moved = std::move(*w);
    ASSERT_TRUE(moved.write(bytes_of("abc")).ok());
    ASSERT_TRUE(moved.commit().ok());
    EXPECT_EQ(slurp(area_->path_of("D1/1")), "abc");
    EXPECT_TRUE(temp_files().empty());
}

TEST_F(StagingTest, CommitNeverReplacesAnExistingFile) {
    stage("D1/1", "original footage");
    auto w = area_->begin("D1/1");
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(w->write(bytes_of("impostor")).ok());
    auto c = w->commit();
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().sys_errno, EEXIST) << c.error().message;
    EXPECT_EQ(slurp(area_->path_of("D1/1")), "original footage");
    w = Error{"dropped"};  // destroy the writer
    EXPECT_TRUE(temp_files().empty());
}

TEST_F(StagingTest, ReconcileKeepsCommittedAndRemovesTempAndOrphans) {
    stage("D1/1", "kept one");
    stage("D1/2", "kept two");
    stage("D1/3", "orphan: copied, never committed to the store");
    stage("D2/1", "orphan in a docking of its own");
    std::ofstream(area_->root() / ".tmp" / "D1_4.part") << "half a file";

    auto r = area_->reconcile({"D1/1", "D1/2"});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->removed_temp, std::vector<std::string>{"D1_4.part"});
    EXPECT_EQ(std::set<std::string>(r->removed_orphans.begin(), r->removed_orphans.end()),
              (std::set<std::string>{"D1/3", "D2/1"}));
    EXPECT_EQ(slurp(area_->path_of("D1/1")), "kept one");
    EXPECT_EQ(slurp(area_->path_of("D1/2")), "kept two");
    EXPECT_FALSE(fs::exists(area_->path_of("D1/3")));
    EXPECT_FALSE(fs::exists(area_->root() / "D2")) << "an emptied docking directory goes";
    EXPECT_TRUE(temp_files().empty());
    EXPECT_TRUE(fs::is_directory(area_->root() / ".tmp"));
}

TEST_F(StagingTest, ReconcileOfCleanAreaChangesNothing) {
    stage("D1/1", "kept");
    auto r = area_->reconcile({"D1/1"});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_TRUE(r->removed_temp.empty());
    EXPECT_TRUE(r->removed_orphans.empty());
    EXPECT_EQ(slurp(area_->path_of("D1/1")), "kept");
}

TEST_F(StagingTest, RemoveDeletesFileAndEmptiedDockingDirectory) {
    stage("D1/1", "a");
    stage("D1/2", "b");
    ASSERT_TRUE(area_->remove("D1/1").ok());
    EXPECT_FALSE(fs::exists(area_->path_of("D1/1")));
    EXPECT_TRUE(fs::exists(area_->path_of("D1/2")));
    ASSERT_TRUE(area_->remove("D1/2").ok());
    EXPECT_FALSE(fs::exists(area_->root() / "D1"));
    EXPECT_TRUE(area_->remove("D1/2").ok()) << "removing twice is harmless";
}

TEST_F(StagingTest, CopyAndHashMatchesOpenSslAtBufferBoundaries) {
    std::vector<std::byte> buffer(buffer_size);
    const std::atomic<bool> cancelled{false};
    const std::size_t sizes[] = {0, 1, buffer_size - 1, buffer_size, buffer_size + 1, 5 * 1024 * 1024};
    int n = 0;
    for (const std::size_t size : sizes) {
        SCOPED_TRACE("size " + std::to_string(size));
        const std::string content = pattern(size);
        StringReader reader(content);
        const std::string name = "D1/" + std::to_string(++n);
        auto w = area_->begin(name);
        ASSERT_TRUE(w.ok());
        std::uint64_t last_progress = 0;
        auto r = copy_and_hash(reader, *w, buffer, cancelled, [&](std::uint64_t done) {
            EXPECT_GT(done, last_progress);
            last_progress = done;
        });
        ASSERT_TRUE(r.ok()) << r.error().message;
        EXPECT_EQ(r->sha256, evp_sha256_hex(content));
        EXPECT_EQ(r->bytes, size);
        EXPECT_EQ(last_progress, size);
        ASSERT_TRUE(w->commit().ok());
        EXPECT_EQ(slurp(area_->path_of(name)), content);

        StringReader again(content);
        auto h = hash_only(again, buffer, cancelled, {});
        ASSERT_TRUE(h.ok());
        EXPECT_EQ(h->sha256, r->sha256);
    }
    EXPECT_TRUE(temp_files().empty());
}

TEST_F(StagingTest, ReadFailureMidwayNamesTheOffset) {
    std::vector<std::byte> buffer(buffer_size);
    const std::atomic<bool> cancelled{false};
    StringReader reader(pattern(1 << 20), 100'000);
    auto w = area_->begin("D1/1");
    ASSERT_TRUE(w.ok());
    auto r = copy_and_hash(reader, *w, buffer, cancelled, {});
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("read at 100000"), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().sys_errno, EIO);
    w = Error{"dropped"};
    EXPECT_TRUE(temp_files().empty());
    EXPECT_FALSE(fs::exists(area_->path_of("D1/1")));
}

TEST_F(StagingTest, CancelledCopyStopsWithAnError) {
    std::vector<std::byte> buffer(buffer_size);
    std::atomic<bool> cancelled{false};
    StringReader reader(pattern(1 << 20));
    auto w = area_->begin("D1/1");
    ASSERT_TRUE(w.ok());
    auto r = copy_and_hash(reader, *w, buffer, cancelled, [&](std::uint64_t done) {
        if (done >= 2 * buffer_size) cancelled = true;
    });
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("cancelled"), std::string::npos) << r.error().message;
    EXPECT_EQ(w->bytes_written(), 2 * buffer_size) << "stops at the next buffer";

    const std::atomic<bool> already{true};
    StringReader fresh(pattern(10));
    EXPECT_FALSE(hash_only(fresh, buffer, already, {}).ok());
}

TEST(ObjectKeyTest, KeyIsSerialUtcDayShaPrefixAndBasename) {
    // 2026-11-23T18:02:11Z
    const auto t = std::chrono::sys_days{std::chrono::year{2026} / 11 / 23} + std::chrono::hours{18} +
                   std::chrono::minutes{2} + std::chrono::seconds{11};
    const std::string sha = "0123456789abcdef" + std::string(48, 'e');
    EXPECT_EQ(object_key("ZFY0001", t, sha, "DCIM/100MEDIA/a.mp4"), "media/ZFY0001/2026/11/23/0123456789abcdef-a.mp4");
    EXPECT_EQ(object_key("ZFY0001", t, sha, "b.mov"), "media/ZFY0001/2026/11/23/0123456789abcdef-b.mov");
}

TEST(ObjectKeyTest, DayIsTakenInUtcWhateverTheLocalZone) {
    const char* old = std::getenv("TZ");
    const std::string saved = old ? old : "";
    ::setenv("TZ", "CST-8", 1);  // China Standard Time, no tzdata needed
    ::tzset();
    // 2026-11-23T20:30:00Z is already the 24th in Beijing.
    const auto t =
        std::chrono::sys_days{std::chrono::year{2026} / 11 / 23} + std::chrono::hours{20} + std::chrono::minutes{30};
    const std::string key = object_key("ZFY0001", t, std::string(64, 'a'), "a.mp4");
    if (old)
        ::setenv("TZ", saved.c_str(), 1);
    else
        ::unsetenv("TZ");
    ::tzset();
    EXPECT_EQ(key, "media/ZFY0001/2026/11/23/aaaaaaaaaaaaaaaa-a.mp4");
}

}  // namespace
}  // namespace dockd::ingest
