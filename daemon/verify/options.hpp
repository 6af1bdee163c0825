// dockd-verify's command line (DESIGN §11), parsed in main.cpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "daemon/config/config.hpp"

namespace dockd::verify {

struct Options {
    std::filesystem::path keys_dir;  // <station_id>.pem: each station's enrolled key 1
    bool json = false;
    bool full = false;            // read every object again, cache or not
    std::filesystem::path cache;  // empty: a temporary cache for this run only
    int shard = 1, shards = 1;    // --shard K/N
    std::optional<std::chrono::milliseconds> max_silence;
    std::chrono::milliseconds upload_deadline{std::chrono::hours(24)};
    int jobs = 4;  // reads in parallel
    std::filesystem::path metrics_file;
    bool progress = false;  // stderr is a terminal
    std::vector<config::TargetConfig> targets;
};

// --shard K/N: stations (chain, manifests, amendments, keys) and objects
// (reads, unreferenced) are split by a stable hash of their name.
bool owns(const Options& o, std::string_view name);

}  // namespace dockd::verify
