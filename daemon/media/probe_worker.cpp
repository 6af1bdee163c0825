#include "daemon/media/probe_worker.hpp"

#include "daemon/common/log.hpp"

namespace dockd::media {

ProbeWorker::ProbeWorker(custody::Store& store, std::filesystem::path staging_root, std::filesystem::path helper,
                         ProbeLimits limits, std::function<void()> on_probed)
    : store_(store),
      staging_root_(std::move(staging_root)),
      helper_(std::move(helper)),
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

bool ProbeWorker::probe_some() {
    const auto due = store_.files_to_probe(16);
    for (const auto& file : due) {
        {
            std::lock_guard lock(mutex_);
            if (stopping_) return false;
        }
        auto facts = probe_file(helper_, staging_root_ / file.staging_name, limits_);
        if (stopping_) return false;  // killed by the shutdown: probed again at the next start
        if (facts.integrity != "ok")
            log::info("media probe: " + file.serial + ": " + file.device_path + ": " + facts.integrity +
                      (facts.detail.empty() ? "" : " (" + facts.detail + ")"));
        store_.record_media(file.id, facts);
        if (on_probed_) on_probed_();
    }
    return !due.empty();
}

}  // namespace dockd::media
