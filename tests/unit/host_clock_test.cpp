// The host clock is "synchronised" only when proven (DESIGN §12): an error
// reading its state is "not synchronised", whatever the error.
#include "daemon/station/host_clock.hpp"

#include <gtest/gtest.h>
#include <sys/timex.h>

#include <cerrno>
#include <fstream>

#include "tests/unit/support.hpp"

namespace dockd::station {
namespace {

HostClockProbe probe(int rc, int status, int err = 0) {
    HostClockProbe p;
    p.ask_timedated = false;
    p.timesyncd_flag = "/nonexistent/dockd-test/synchronized";
    p.adjtimex = [=](int& s, int& e) {
        s = status;
        e = err;
        return rc;
    };
    return p;
}

TEST(HostClock, AdjtimexRefusedAsUnderProtectClockIsNotSynchronised) {
    const auto s = probe_host_clock(probe(-1, 0, EPERM));
    EXPECT_FALSE(s.synced);
    EXPECT_EQ(s.source, "adjtimex: Operation not permitted");
}

TEST(HostClock, KernelClockUnsynchronisedIsNotSynchronised) {
    EXPECT_FALSE(probe_host_clock(probe(TIME_ERROR, STA_UNSYNC)).synced);
    EXPECT_FALSE(probe_host_clock(probe(TIME_OK, STA_UNSYNC)).synced) << "STA_UNSYNC alone says unsynchronised";
}

TEST(HostClock, KernelClockDisciplinedIsSynchronised) {
    const auto s = probe_host_clock(probe(TIME_OK, STA_PLL));
    EXPECT_TRUE(s.synced);
    EXPECT_EQ(s.source, "adjtimex");
}

TEST(HostClock, TimesyncdFlagFileProvesItWithoutAdjtimex) {
    test_support::TempDir tmp("clock");
    auto p = probe(-1, 0, EPERM);
    p.timesyncd_flag = tmp.path() / "synchronized";
    std::ofstream(p.timesyncd_flag).put('\n');
    const auto s = probe_host_clock(p);
    EXPECT_TRUE(s.synced);
    EXPECT_NE(s.source.find("timesyncd"), std::string::npos);
}

}  // namespace
}  // namespace dockd::station
