#pragma once

#include <optional>
#include <string>
#include <vector>

#include "daemon/dockctl/client.hpp"

namespace dockd::dockctl {

struct Options {
    bool json = false, csv = false;
    std::optional<std::string> from, to;
};

// Runs one command; returns the process exit code.
int run_command(const Client& client, const std::vector<std::string>& words, const Options& o);

}  // namespace dockd::dockctl
