#include "daemon/verify/reads.hpp"

#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "daemon/crypto/sha256.hpp"

namespace dockd::verify {
namespace {
constexpr std::size_t max_signature_bytes = 1024;
const std::atomic<bool> never_cancelled{false};

// Reads key whole into memory, refusing more than limit bytes.
Result<std::string> read_small(archive::Target& target, const std::string& key, std::size_t limit) {
    std::string out;
    auto r = target.read(
        key,
        [&](std::string_view chunk) -> Result<void> {
            if (out.size() + chunk.size() > limit)
                return Error{key + ": larger than the " + std::to_string(limit) + " bytes a verifier accepts"};
            out.append(chunk);
            return {};
        },
        never_cancelled);
    if (!r) return r.error();
    return out;
}
}  // namespace

ReadOutcome read_object(archive::Target& target, const ReadJob& job) {
    ReadOutcome out;
    crypto::Sha256 h;
    out.status = target.read(
        job.key,
        [&](std::string_view chunk) -> Result<void> {
            h.update(chunk);
            out.bytes += chunk.size();
            if (job.keep_bytes == 0) return {};
            if (out.body.size() + chunk.size() > job.keep_bytes)
                return Error{job.key + ": larger than the " + std::to_string(job.keep_bytes) +
                             " bytes a verifier accepts for it"};
            out.body.append(chunk);
            return {};
        },
        never_cancelled);
    out.sha256 = h.hex_digest();
    if (job.with_signature) out.signature = read_small(target, job.key + ".sig", max_signature_bytes);
    return out;
}

void read_all(archive::Target& target, int threads, const std::function<std::optional<ReadJob>()>& next_job,
              const std::function<void(const ReadJob&, ReadOutcome&)>& done) {
    std::mutex mutex;
    std::exception_ptr failed;  // a bug or a broken cache: stop every worker, rethrow once
    auto worker = [&] {
        for (;;) {
            std::optional<ReadJob> job;
            {
                std::lock_guard lock(mutex);
                try {
                    if (!failed) job = next_job();
                } catch (...) {
                    failed = std::current_exception();
                }
            }
            if (!job) return;
            auto outcome = read_object(target, *job);
            std::lock_guard lock(mutex);
            try {
                done(*job, outcome);
            } catch (...) {
                failed = std::current_exception();
            }
        }
    };
    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
    if (failed) std::rethrow_exception(failed);
}

}  // namespace dockd::verify
