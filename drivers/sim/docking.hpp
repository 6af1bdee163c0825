// One docking of one simulated recorder: which directory it is (so a removed
// or replaced bay looks unplugged) and the byte counters its reads share.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>

#include "daemon/common/result.hpp"

namespace dockd::drivers::sim {

class Docking {
public:
    // Records DIR/N's (st_dev, st_ino) now; if it is already gone, every
    // later call reports the recorder removed.
    Docking(int bay, std::filesystem::path bay_dir);

    int bay() const { return bay_; }
    const std::filesystem::path& dir() const { return dir_; }
    std::chrono::steady_clock::time_point docked_at() const { return docked_at_; }
    std::string where() const { return "bay " + std::to_string(bay_); }

    // ENODEV "recorder removed" once DIR/N is gone or is another directory.
    Result<void> check_present() const;

    std::uint64_t bytes_read() const;
    // Counts n bytes read; returns when the reader may go on so the average
    // rate since the first read stays at or under rate_bytes_per_s (0 = now).
    std::chrono::steady_clock::time_point account(std::uint64_t n, std::uint64_t rate_bytes_per_s);

private:
    const int bay_;
    const std::filesystem::path dir_;
    const std::chrono::steady_clock::time_point docked_at_;
    dev_t dev_ = 0;
    ino_t ino_ = 0;
    bool present_at_start_ = false;

    mutable std::mutex mu_;
    std::uint64_t bytes_read_ = 0;
    std::optional<std::chrono::steady_clock::time_point> first_read_;
};

}  // namespace dockd::drivers::sim
