// The configuration the hardware layer added: station.media_dir and
// charge.power_cycle_after_failed_commands, parsed and range-checked.
#include <gtest/gtest.h>

#include "daemon/config/config.hpp"

namespace dockd::config {
namespace {

TEST(UsbConfig, DefaultsMountUnderRunAndCycleAfterThreeFailures) {
    auto r = parse_config("station: {id: s1}\n", "/etc/dockd/dockd.yaml");
    ASSERT_TRUE(r.config);
    EXPECT_EQ(r.config->station.media_dir, "/run/dockd/bays");
    EXPECT_EQ(r.config->charge.power_cycle_after_failed_commands, 3);
}

TEST(UsbConfig, ReadsMediaDirAndCycleThreshold) {
    auto r = parse_config("station: {id: s1, media_dir: media}\ncharge: {power_cycle_after_failed_commands: 0}\n",
                          "/etc/dockd/dockd.yaml");
    ASSERT_TRUE(r.config) << (r.errors.empty() ? "" : r.errors[0].str());
    EXPECT_EQ(r.config->station.media_dir, "/etc/dockd/media");
    EXPECT_EQ(r.config->charge.power_cycle_after_failed_commands, 0);
}

TEST(UsbConfig, RejectsANegativeCycleThresholdAtItsLine) {
    auto r = parse_config("station: {id: s1}\ncharge:\n  power_cycle_after_failed_commands: -1\n", "/x/dockd.yaml");
    ASSERT_FALSE(r.config);
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].line, 3);
    EXPECT_NE(r.errors[0].message.find("power_cycle_after_failed_commands"), std::string::npos) << r.errors[0].str();
}

}  // namespace
}  // namespace dockd::config
