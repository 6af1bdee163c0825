// Hostile media can hurt only the helper: its seccomp filter kills it on
// open(2), socket(2) or a write anywhere but its answer; a hang is killed at
// the deadline; a crash is a value. The hooks need
// DOCKD_MEDIA_PROBE_TEST_HOOKS=1 and a file naming them, as a crafted file
// exploiting a demuxer bug could make it do.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>

#include "tests/unit/media_support.hpp"

namespace dockd::media {
namespace {

using namespace std::chrono_literals;

class ProbeSandbox : public ::testing::Test {
protected:
    void SetUp() override { setenv("DOCKD_MEDIA_PROBE_TEST_HOOKS", "1", 1); }
    void TearDown() override { unsetenv("DOCKD_MEDIA_PROBE_TEST_HOOKS"); }
    MediaFacts hook(const std::string& name) {
        return test::probe(dir.write(name + ".mp4", "DOCKD-PROBE-TEST:" + name));
    }
    test::MediaDir dir;
};

// Another file, a socket, a write into the media: each is a refused call.
TEST_F(ProbeSandbox, OpeningFilesOrSocketsOrWritingTheMediaKillsTheHelper) {
    for (const char* name : {"open", "socket", "write"}) {
        auto f = hook(name);
        EXPECT_EQ(f.integrity, "unreadable") << name;
        EXPECT_NE(f.detail.find("refused a system call"), std::string::npos) << name << ": " << f.detail;
    }
}

TEST_F(ProbeSandbox, ACrashIsUnreadableWithItsSignal) {
    auto f = hook("crash");
    EXPECT_EQ(f.integrity, "unreadable");
    EXPECT_NE(f.detail.find("signal 11"), std::string::npos) << f.detail;
}

// One server for many probes (its start, loading libavcodec and the codec
// libraries, is paid once); a child's crash or hang leaves it serving; a
// server killed from outside is replaced and the probe asked again, so its
// loss is never recorded as a fact about the file.
TEST_F(ProbeSandbox, OneServerOutlivesItsChildrenAndIsReplacedWhenLost) {
    ProbeServer server(DOCKD_MEDIA_PROBE);
    ProbeLimits limits;
    limits.timeout = 5s;
    const auto text = dir.write("note.mp4", "just a note, not a recording\n");
    EXPECT_EQ(server.probe(text, limits).integrity, "not_media");
    const pid_t first = server.pid();
    ASSERT_GT(first, 0);
    EXPECT_NE(server.probe(dir.write("crash.mp4", "DOCKD-PROBE-TEST:crash"), limits).detail.find("signal 11"),
              std::string::npos);
    limits.timeout = 500ms;
    EXPECT_NE(server.probe(dir.write("hang.mp4", "DOCKD-PROBE-TEST:hang"), limits).detail.find("killed after 500"),
              std::string::npos);
    EXPECT_EQ(server.probe(text, limits).integrity, "not_media");
    EXPECT_EQ(server.pid(), first);
    ASSERT_EQ(kill(first, SIGKILL), 0);
    const auto again = server.probe(text, limits);
    EXPECT_EQ(again.integrity, "not_media") << again.detail;
    EXPECT_GT(server.pid(), 0);
    EXPECT_NE(server.pid(), first);
}

TEST_F(ProbeSandbox, HooksAreInertWithoutTheTestVariable) {
    unsetenv("DOCKD_MEDIA_PROBE_TEST_HOOKS");
    auto f = hook("open");
    EXPECT_EQ(f.integrity, "not_media") << f.detail;
}

TEST_F(ProbeSandbox, ABusyLoopIsKilledAtTheDeadline) {
    const auto start = std::chrono::steady_clock::now();
    auto f = test::probe(dir.write("hang.mp4", "DOCKD-PROBE-TEST:hang"), 700ms);
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(f.integrity, "unreadable");
    EXPECT_NE(f.detail.find("killed after 700 ms"), std::string::npos) << f.detail;
    EXPECT_LT(took, 5s);
}

// Real input that never ends: a FIFO whose writer stays open. The helper
// blocks in read(2) and is killed at the deadline; no test hook involved.
TEST_F(ProbeSandbox, InputThatNeverEndsIsKilledAtTheDeadline) {
    unsetenv("DOCKD_MEDIA_PROBE_TEST_HOOKS");
    const auto fifo = dir.path("stream.mp4");
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    const int writer = ::open(fifo.c_str(), O_RDWR | O_CLOEXEC);
    ASSERT_GE(writer, 0);
    const auto start = std::chrono::steady_clock::now();
    auto f = test::probe(fifo, 500ms);
    const auto took = std::chrono::steady_clock::now() - start;
    ::close(writer);
    EXPECT_EQ(f.integrity, "unreadable");
    EXPECT_NE(f.detail.find("killed after 500 ms"), std::string::npos) << f.detail;
    EXPECT_LT(took, 5s);
}

}  // namespace
}  // namespace dockd::media
