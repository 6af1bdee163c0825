#include "daemon/media/probe_worker.hpp"

#include "daemon/common/log.hpp"

namespace dockd::media {

ProbeWorker::ProbeWorker(custody::Store& store, std::filesystem::path staging_root, std::filesystem::path helper,
                         ProbeLimits limits, std::function<void()> on_probed)
    : store_(store),
      staging_root_(std::move(staging_root)),
      server_(std::move(helper)),
      limits_([this, limits] {
          auto l = limits;
          l.cancel = &stopping_;
          return l;
      }()),
      on_probed_(std::move(on_probed)),
      thread_([this] { run(); }) {}

ProbeWorker::~ProbeWorker() {
    stop();
}

void ProbeWorker::wake() {
    std::lock_guard lock(mutex_);
    woken_ = true;
    cv_.notify_one();
}

void ProbeWorker::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        cv_.notify_one();
    }
    if (thread_.joinable()) thread_.join();
}

void ProbeWorker::run() {
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            cv_.wait(lock, [this] { return woken_ || stopping_; });
            if (stopping_) return;
            woken_ = false;
        }
        while (probe_some()) {
            std::lock_guard lock(mutex_);
            if (stopping_) return;
        }
    }
}

// Facts are stored in batches: each commit is an fsync on the disk the
// offload is writing to, and a batch of 16 needs one. A batch is held at
// most flush_after, so one slow file does not hold back the uploads of those
// probed before it.
bool ProbeWorker::probe_some() {
    constexpr auto flush_after = std::chrono::milliseconds(500);
    const auto due = store_.files_to_probe(16);
    std::vector<std::pair<std::int64_t, MediaFacts>> probed;
    auto held_since = std::chrono::steady_clock::now();
    const auto flush = [&] {
        if (probed.empty()) return;
        store_.record_media(probed);
        probed.clear();
        if (on_probed_) on_probed_();
    };
    for (const auto& file : due) {
        {
            std::lock_guard lock(mutex_);
            if (stopping_) break;
        }
        auto facts = server_.probe(staging_root_ / file.staging_name, limits_);
        if (stopping_) break;  // killed by the shutdown: probed again at the next start
        if (facts.integrity != "ok")
            log::info("media probe: " + file.serial + ": " + file.device_path + ": " + facts.integrity +
                      (facts.detail.empty() ? "" : " (" + facts.detail + ")"));
        if (probed.empty()) held_since = std::chrono::steady_clock::now();
        probed.emplace_back(file.id, std::move(facts));
        if (std::chrono::steady_clock::now() - held_since >= flush_after) flush();
    }
    flush();  // what was probed before a shutdown is kept
    return !due.empty() && !stopping_;
}

}  // namespace dockd::media
