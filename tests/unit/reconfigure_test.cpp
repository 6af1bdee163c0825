// What a reload may change live and what needs a restart (reconfigure.hpp):
// every restart-only key is named at its line in the new file.
#include "daemon/station/reconfigure.hpp"

#include <gtest/gtest.h>

namespace dockd::station {
namespace {

config::Config parse(const std::string& text) {
    auto r = config::parse_config(text, "/etc/dockd/dockd.yaml");
    EXPECT_TRUE(r.errors.empty()) << (r.errors.empty() ? "" : r.errors.front().str());
    return r.config.value_or(config::Config{});
}

const std::string base = R"(station: {id: ST1, data_dir: /var/lib/dockd}
ports:
  - {id: 1, usb_path: "1-1.1"}
drivers:
  - {type: sim, bays_dir: /tmp/bays}
api:
  listen: 127.0.0.1:8470
)";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    text.replace(text.find(from), from.size(), to);
    return text;
}

TEST(Reconfigure, LiveChangesAreNotRefused) {
    const auto next = replaced(base, "  - {id: 1, usb_path: \"1-1.1\"}\n",
                               "  - {id: 2, usb_path: \"1-1.2\"}\n  - {id: 3, usb_path: \"1-1.3\"}\n") +
                      "upload: {windows: [\"22:00-06:00\"], concurrency: 5}\ningest: {verify: none}\n";
    EXPECT_TRUE(restart_only_changes(parse(base), parse(next)).empty());
    const auto bays = diff_bays(parse(base), parse(next));
    EXPECT_EQ(bays.added, (std::set<int>{2, 3}));
    EXPECT_EQ(bays.removed, (std::set<int>{1}));
}

TEST(Reconfigure, RestartOnlyKeysAreNamedAtTheirLine) {
    auto next = replaced(base, "127.0.0.1:8470", "127.0.0.1:8471");
    next = replaced(next, "data_dir: /var/lib/dockd", "data_dir: /srv/dockd");
    next += "ingest:\n  workers: 8\n";
    const auto errors = restart_only_changes(parse(base), parse(next));
    // staging_dir follows data_dir when not set, so it changes too (at the station line).
    ASSERT_EQ(errors.size(), 4u);
    EXPECT_EQ(errors[0].str().rfind("/etc/dockd/dockd.yaml:1: station.data_dir changed", 0), 0u) << errors[0].str();
    EXPECT_EQ(errors[1].str().rfind("/etc/dockd/dockd.yaml:1: station.staging_dir changed", 0), 0u) << errors[1].str();
    EXPECT_EQ(errors[2].str().rfind("/etc/dockd/dockd.yaml:7: api.listen changed", 0), 0u) << errors[2].str();
    EXPECT_EQ(errors[3].str().rfind("/etc/dockd/dockd.yaml:9: ingest.workers changed", 0), 0u) << errors[3].str();
    EXPECT_NE(errors[2].message.find("needs a restart"), std::string::npos);
}

TEST(Reconfigure, UsbBaysAndDriversNeedARestart) {
    const auto usb = replaced(base, "bays_dir: /tmp/bays}\n",
                              "bays_dir: /tmp/bays}\n  - {type: ums, match: [{vid: 0x1234, pid: 1}]}\n");
    auto next = replaced(usb, "pid: 1}", "pid: 2}");
    auto errors = restart_only_changes(parse(usb), parse(next));
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_NE(errors[0].message.find("drivers changed"), std::string::npos);
    next = replaced(usb, "  - {id: 1, usb_path: \"1-1.1\"}\n",
                    "  - {id: 1, usb_path: \"1-1.1\"}\n  - {id: 2, usb_path: \"1-1.2\"}\n");
    errors = restart_only_changes(parse(usb), parse(next));
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].line, 2);
    EXPECT_NE(errors[0].message.find("ports changed"), std::string::npos);
}

}  // namespace
}  // namespace dockd::station
