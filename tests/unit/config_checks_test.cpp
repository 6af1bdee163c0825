// The configuration keys of issue 9 (truthful facts, real gates): defaults,
// values, and every error at its line.
#include <gtest/gtest.h>

#include "daemon/config/config.hpp"
#include "tests/unit/support.hpp"

namespace dockd::config {
namespace {

using namespace std::chrono_literals;

LoadResult parse(const std::string& yaml) {
    return parse_config(yaml, "/etc/dockd/dockd.yaml");
}

bool has_error(const LoadResult& r, int line, const std::string& part) {
    for (const auto& e : r.errors)
        if (e.line == line && e.message.find(part) != std::string::npos) return true;
    return false;
}

std::string dump(const LoadResult& r) {
    std::string s;
    for (const auto& e : r.errors) s += e.str() + "\n";
    return s;
}

TEST(ChecksConfig, DefaultsHoldWithoutTheKeys) {
    auto r = parse("station: {id: s1}\n");
    ASSERT_TRUE(r.config) << dump(r);
    EXPECT_EQ(r.config->charge.unknown_battery_hold, 3h);
    EXPECT_EQ(r.config->charge.stall_power_cycle_after, 60s);
    EXPECT_EQ(r.config->clock.max_plausible_offset, 366 * 24h);
    EXPECT_EQ(r.config->checks.min_free_storage, 1ull << 30);
    EXPECT_TRUE(r.config->checks.firmware.empty());
}

TEST(ChecksConfig, ReadsEveryNewKey) {
    auto r = parse(R"(station: {id: s1}
charge: {unknown_battery_hold: 90m, stall_power_cycle_after: 2m}
clock: {max_plausible_offset: 30d}
checks:
  min_free_storage: 2GiB
  firmware:
    - {model: DSJ-X1, min_version: "2.1"}
    - {model: DSJ-M1, allowed: ["1.02", "1.03"]}
drivers:
  - {type: sdk, library: /x.so, write_officer: false}
)");
    ASSERT_TRUE(r.config) << dump(r);
    const auto& c = *r.config;
    EXPECT_EQ(c.charge.unknown_battery_hold, 90min);
    EXPECT_EQ(c.charge.stall_power_cycle_after, 2min);
    EXPECT_EQ(c.clock.max_plausible_offset, 30 * 24h);
    EXPECT_EQ(c.checks.min_free_storage, 2ull << 30);
    ASSERT_EQ(c.checks.firmware.size(), 2u);
    EXPECT_EQ(c.checks.firmware[0].min_version, "2.1");
    EXPECT_EQ(c.checks.firmware[1].allowed, (std::vector<std::string>{"1.02", "1.03"}));
    EXPECT_FALSE(c.drivers[0].write_officer);
}

TEST(ChecksConfig, EveryMistakeIsReportedAtItsLine) {
    auto r = parse(R"(station: {id: s1}
clock: {max_drift: 10s, max_plausible_offset: 5s}
checks:
  firmware:
    - {model: A}
    - {model: A, min_version: "1 2"}
    - {model: B, allowed: ["ok", "$bad"]}
  extra: 1
drivers:
  - {type: sim, bays_dir: /b, write_officer: true}
charge: {stall_power_cycle_after: 10ms}
)");
    EXPECT_FALSE(r.config);
    EXPECT_TRUE(has_error(r, 2, "max_plausible_offset must not be less than clock.max_drift")) << dump(r);
    EXPECT_TRUE(has_error(r, 5, "give min_version or allowed")) << dump(r);
    EXPECT_TRUE(has_error(r, 6, "a second rule for model A")) << dump(r);
    EXPECT_TRUE(has_error(r, 6, "is not a version")) << dump(r);
    EXPECT_TRUE(has_error(r, 7, "expected versions")) << dump(r);
    EXPECT_TRUE(has_error(r, 8, "unknown key 'extra' in checks")) << dump(r);
    EXPECT_TRUE(has_error(r, 10, "write_officer: not an option of a sim driver")) << dump(r);
    EXPECT_TRUE(has_error(r, 11, "stall_power_cycle_after")) << dump(r);
}

}  // namespace
}  // namespace dockd::config
