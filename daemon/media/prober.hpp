// The daemon's side of dockd-media-probe: runs the sandboxed helper on one
// staged file and turns whatever happens to it into MediaFacts. A helper that
// crashes, is refused a system call or overruns its time reads as
// `unreadable` with the reason; nothing of it reaches the daemon.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>

#include "daemon/media/facts.hpp"

namespace dockd::media {

struct ProbeLimits {
    std::chrono::milliseconds timeout{30000};  // wall clock, then SIGKILL
    std::chrono::seconds cpu{20};              // RLIMIT_CPU inside the helper
    std::uint64_t memory_bytes = 1ull << 30;   // RLIMIT_AS inside the helper
    // Set at shutdown: the helper is killed at once (its verdict is not kept).
    const std::atomic<bool>* cancel = nullptr;
};

MediaFacts probe_file(const std::filesystem::path& helper, const std::filesystem::path& file,
                      const ProbeLimits& limits);

// Beside the running executable, else /usr/libexec/dockd/dockd-media-probe.
std::filesystem::path default_probe_path();

}  // namespace dockd::media
