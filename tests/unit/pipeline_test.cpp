// The ingest pipeline at the hardware's pace (issue 12): reading ahead on a
// second thread, writing behind, and small files committed as one group,
// all keeping the durability order of DESIGN §3.
#include <gtest/gtest.h>

#include "daemon/ingest/copier.hpp"
#include "tests/unit/ingest_support.hpp"
#include "tests/unit/support.hpp"

namespace dockd::ingest {
namespace {

namespace fs = std::filesystem;
using staging::StagingArea;
using staging::StagingWriter;
using test_support::evp_sha256_hex;

class Pipeline : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(area_.prepare()); }
    std::size_t temp_count() const {
        std::size_t n = 0;
        for ([[maybe_unused]] const auto& e : fs::directory_iterator(area_.root() / ".tmp")) ++n;
        return n;
    }
    test_support::TempDir tmp_{"pipeline"};
    StagingArea area_{tmp_.path() / "staging"};
    std::vector<std::byte> buffer_ = std::vector<std::byte>(2 * buffer_size);
    const std::atomic<bool> running_{false};
};

TEST_F(Pipeline, ReadAheadCopiesEveryByteOnceAcrossBufferAndWritebackBoundaries) {
    const std::size_t half = buffer_size;
    for (const std::size_t size : {half + 1, 2 * half, 2 * half + 7, std::size_t(20) << 20}) {
        SCOPED_TRACE("size " + std::to_string(size));
        const std::string content = pattern(size);
        StringReader reader(content);
        const std::string name = "D1/" + std::to_string(size);
        auto w = area_.begin(name);
        ASSERT_TRUE(w);
        auto r = copy_and_hash(reader, *w, buffer_, running_, {}, size);
        ASSERT_TRUE(r) << r.error().message;
        EXPECT_EQ(r->sha256, evp_sha256_hex(content));
        ASSERT_TRUE(w->commit());
        EXPECT_EQ(slurp(area_.path_of(name)), content);
    }
}

TEST_F(Pipeline, ReadAheadReportsADeviceErrorAtItsOffset) {
    StringReader reader(pattern(1 << 20), 300'000);
    auto w = area_.begin("D1/1");
    ASSERT_TRUE(w);
    auto r = copy_and_hash(reader, *w, buffer_, running_, {}, 1 << 20);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("read at 300000"), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().sys_errno, EIO);
}

TEST_F(Pipeline, ReadAheadStopsWhenCancelled) {
    std::atomic<bool> cancelled{false};
    StringReader reader(pattern(4 << 20));
    auto w = area_.begin("D1/1");
    ASSERT_TRUE(w);
    auto r = copy_and_hash(
        reader, *w, buffer_, cancelled, [&](std::uint64_t done) { cancelled = done >= 2 * buffer_size; }, 4 << 20);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("cancelled"), std::string::npos);
}

TEST_F(Pipeline, AGroupOfSmallFilesIsCommittedTogether) {
    std::vector<StagingWriter> writers;
    for (int i = 0; i < 50; ++i) {
        auto w = area_.begin("D1/" + std::to_string(i));
        ASSERT_TRUE(w);
        ASSERT_TRUE(w->write(bytes_of(pattern(1000 + i))));
        writers.push_back(std::move(*w));
    }
    EXPECT_FALSE(fs::exists(area_.path_of("D1/0"))) << "nothing under its final name before the commit";
    std::size_t committed = 0;
    ASSERT_TRUE(area_.commit_group(writers, committed));
    EXPECT_EQ(committed, 50u);
    for (int i = 0; i < 50; ++i) EXPECT_EQ(slurp(area_.path_of("D1/" + std::to_string(i))), pattern(1000 + i));
    writers.clear();
    EXPECT_EQ(temp_count(), 0u);
}

TEST_F(Pipeline, AGroupStopsAtACollisionAndReportsOnlyWhatIsDurable) {
    auto taken = area_.begin("D1/2");
    ASSERT_TRUE(taken && taken->write(bytes_of("older")) && taken->commit());
    std::vector<StagingWriter> writers;
    for (int i = 0; i < 5; ++i) {
        auto w = area_.begin("D1/" + std::to_string(i));
        ASSERT_TRUE(w && w->write(bytes_of(pattern(10 + i))));
        writers.push_back(std::move(*w));
    }
    std::size_t committed = 99;
    auto r = area_.commit_group(writers, committed);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().sys_errno, EEXIST);
    EXPECT_EQ(committed, 2u) << "the two before the collision are in place and durable";
    EXPECT_EQ(slurp(area_.path_of("D1/2")), "older") << "never replaced";
    EXPECT_FALSE(fs::exists(area_.path_of("D1/3")));
    writers.clear();
    EXPECT_EQ(temp_count(), 0u) << "the uncommitted copies are discarded";
}

}  // namespace
}  // namespace dockd::ingest
