// The daemon's side of dockd-media-probe: keeps its fork server running and
// has it probe one staged file at a time in a sandboxed child, turning
// whatever happens to that child into MediaFacts. A child that crashes, is
// refused a system call or overruns its time reads as `unreadable` with the
// reason; nothing of it reaches the daemon.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>

#include "daemon/common/fs.hpp"
#include "daemon/custody/media_facts.hpp"

namespace dockd::media {

struct ProbeLimits {
    std::chrono::milliseconds timeout{30000};  // wall clock, then SIGKILL
    std::chrono::seconds cpu{20};              // RLIMIT_CPU inside the helper
    std::uint64_t memory_bytes = 1ull << 30;   // RLIMIT_AS inside the helper
    // Set at shutdown: the helper is killed at once (its verdict is not kept).
    const std::atomic<bool>* cancel = nullptr;
};

// One server, started at the first probe and again after it died or was
// killed (a deadline it missed, a cancel); stopped with the object.
class ProbeServer {
public:
    explicit ProbeServer(std::filesystem::path helper) : helper_(std::move(helper)) {}
    ~ProbeServer() { stop(); }
    ProbeServer(const ProbeServer&) = delete;
    ProbeServer& operator=(const ProbeServer&) = delete;

    MediaFacts probe(const std::filesystem::path& file, const ProbeLimits& limits);
    pid_t pid() const { return pid_; }  // -1 when not running

private:
    // One request and its reply; nullopt when the server was lost (and stopped) on the way.
    std::optional<MediaFacts> exchange(const std::filesystem::path& file, const ProbeLimits& limits);
    std::string start();  // empty, or why it could not
    void stop();          // SIGKILL (its children die with it) and reap

    const std::filesystem::path helper_;
    std::mutex mutex_;  // one probe at a time: the protocol has no request ids
    pid_t pid_ = -1;
    UniqueFd socket_;
};

// A server for one probe (tests, tools): the daemon keeps a ProbeServer.
MediaFacts probe_file(const std::filesystem::path& helper, const std::filesystem::path& file,
                      const ProbeLimits& limits);

// Beside the running executable, else /usr/libexec/dockd/dockd-media-probe.
std::filesystem::path default_probe_path();

}  // namespace dockd::media
