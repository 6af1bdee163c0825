// Probes every committed file that has no media facts yet, one at a time on
// its own thread: beside the offload (never on the copy path) and beside the
// uploads. Woken after each commit; at start it picks up what a restart left.
#pragma once

#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>

#include "daemon/custody/store.hpp"
#include "daemon/media/prober.hpp"

namespace dockd::media {

class ProbeWorker {
public:
    // on_probed runs on the worker thread after each file's facts are stored.
    ProbeWorker(custody::Store& store, std::filesystem::path staging_root, std::filesystem::path helper,
                ProbeLimits limits, std::function<void()> on_probed);
    ~ProbeWorker();
    void wake();
    void stop();

private:
    void run();
    bool probe_some();  // false when nothing was left to probe

    custody::Store& store_;
    const std::filesystem::path staging_root_;
    ProbeServer server_;  // dockd-media-probe --serve, started at the first probe
    ProbeLimits limits_;
    std::function<void()> on_probed_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool woken_ = true;
    std::atomic<bool> stopping_{false};  // also kills a running helper (ProbeLimits::cancel)
    std::thread thread_;
};

}  // namespace dockd::media
