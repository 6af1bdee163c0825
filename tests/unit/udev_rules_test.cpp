// The udev rules dockd prints for its configuration: exactly the configured
// recorders' VID/PIDs and the hubs feeding the bays, in well-formed rule lines.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "daemon/config/config.hpp"
#include "daemon/station/driver_options.hpp"

namespace dockd::station {
namespace {

config::Config load(const std::string& yaml) {
    auto r = config::parse_config(yaml, "/etc/dockd/dockd.yaml");
    EXPECT_TRUE(r.config) << (r.errors.empty() ? "" : r.errors[0].str());
    return *r.config;
}

std::vector<std::string> rule_lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (!line.empty() && line[0] != '#') out.push_back(line);
    return out;
}

TEST(UdevRules, NameExactlyTheConfiguredRecordersAndBayHubs) {
    const auto cfg = load(R"(station: {id: s1}
ports:
  - {id: 1, usb_path: "1-1.1"}
  - {id: 2, usb_path: "1-1.2"}
  - {id: 3, usb_path: "2-4"}
drivers:
  - {type: ums, match: [{vid: 0x2207, pid: 0x0010}]}
  - {type: sdk, match: [{vid: 0x1234, pid: 0xABCD}], library: /usr/lib/x.so}
)");
    const std::string text = udev_rules(cfg);
    const auto lines = rule_lines(text);
    auto count = [&](const std::string& needle) {
        return std::count_if(lines.begin(), lines.end(),
                             [&](const auto& l) { return l.find(needle) != std::string::npos; });
    };
    EXPECT_EQ(count("ATTR{idVendor}==\"2207\", ATTR{idProduct}==\"0010\""), 1);
    EXPECT_EQ(count("ATTRS{idVendor}==\"2207\", ATTRS{idProduct}==\"0010\""), 1);
    EXPECT_EQ(count("ATTR{idVendor}==\"1234\", ATTR{idProduct}==\"abcd\""), 1);
    EXPECT_EQ(count("KERNEL==\"1-1\""), 1) << "one rule for the hub both bays share";
    EXPECT_EQ(count("KERNEL==\"usb2\""), 1) << "a bay on a root-hub port needs the root hub";
    EXPECT_EQ(count("dockd_hub"), 2);
    EXPECT_EQ(count("GROUP=\"dockd\""), 6);
    EXPECT_EQ(count("MODE=\"0666\""), 0) << "never world-accessible";
    // Every rule line is a comma-separated list of KEY{attr}op"value" pairs.
    const std::regex pair(R"re( ?[A-Z_]+(\{[A-Za-z_]+\})?(==|!=|=|\+=)"[^"]*")re");
    for (const auto& line : lines) {
        std::stringstream parts(line);
        for (std::string part; std::getline(parts, part, ',');)
            EXPECT_TRUE(std::regex_match(part, pair)) << "malformed: [" << part << "] in " << line;
    }
}

TEST(UdevRules, WithoutUsbDriversGrantNoRecorderAccess) {
    const auto cfg = load("station: {id: s1}\ndrivers: [{type: sim, bays_dir: /tmp/b}]\n");
    const std::string text = udev_rules(cfg);
    EXPECT_EQ(text.find("dockd_recorder"), std::string::npos);
    EXPECT_EQ(text.find("dockd_hub"), std::string::npos);
}

}  // namespace
}  // namespace dockd::station
