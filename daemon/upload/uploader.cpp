#include "daemon/upload/uploader.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <ctime>

#include "daemon/common/blocking.hpp"
#include "daemon/common/hex.hpp"
#include "daemon/common/log.hpp"
#include "daemon/common/time.hpp"
#include "daemon/upload/manifest.hpp"

namespace dockd::upload {
namespace asio = boost::asio;

Uploader::Uploader(asio::io_context& io, asio::thread_pool& pool, custody::Store& store,
                   ingest::StagingArea& staging, std::vector<std::unique_ptr<archive::Target>> targets,
                   const config::Config& cfg, const crypto::StationKey& key)
    : io_(io), pool_(pool), store_(store), staging_(staging), targets_(std::move(targets)), cfg_(cfg), key_(key),
      tick_(io) {}

void Uploader::start() { asio::co_spawn(io_, run(), asio::detached); }

void Uploader::stop() {
    stopping_ = true;
    tick_.cancel();
}

void Uploader::wake() { tick_.cancel(); }

std::vector<std::string> Uploader::target_urls() const {
    std::vector<std::string> urls;
    for (const auto& t : targets_) urls.push_back(t->url());
    return urls;
}

archive::Target* Uploader::target_for(const std::string& url) {
    for (auto& t : targets_)
        if (t->url() == url) return t.get();
    return nullptr;
}

// Full jitter (AWS architecture blog): uniform in [0, min(max, initial * 2^n)].
std::int64_t Uploader::backoff_ms(int attempts) {
    const std::int64_t initial = cfg_.upload.retry.initial.count();
    const std::int64_t cap = cfg_.upload.retry.max.count();
    std::int64_t ceiling = initial;
    for (int i = 0; i < attempts && ceiling < cap; ++i) ceiling *= 2;
    ceiling = std::min(ceiling, cap);
    return std::uniform_int_distribution<std::int64_t>(0, std::max<std::int64_t>(ceiling, 1))(rng_);
}

bool Uploader::window_open() const {
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    return config::window_contains(cfg_.upload.windows, local.tm_hour * 60 + local.tm_min);
}

asio::awaitable<void> Uploader::run() {
    while (!stopping_) {
        try {
            if (window_open()) {
                const int free_slots = cfg_.upload.concurrency - static_cast<int>(in_flight_.size());
                if (free_slots > 0) {
                    std::vector<std::int64_t> busy(in_flight_.begin(), in_flight_.end());
                    auto jobs = co_await on_pool(pool_, [&] {
                        return store_.due_uploads(to_unix_ms(std::chrono::system_clock::now()), free_slots, busy);
                    });
                    for (auto& job : jobs) {
                        in_flight_.insert(job.file_id);
                        asio::co_spawn(io_, upload_one(std::move(job)), asio::detached);
                    }
                }
                co_await write_manifests();
            }
            if (cfg_.retention.purge_staging_after_archive) co_await purge_staging();
        } catch (const std::exception& e) {
            log::error(std::string("uploader: ") + e.what());
        }
        if (stopping_) break;
        tick_.expires_after(std::chrono::seconds(1));
        boost::system::error_code ec;
        co_await tick_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
}

asio::awaitable<void> Uploader::upload_one(custody::UploadJob job) {
    archive::Target* target = target_for(job.target);
    Result<void> r = Error{"target " + job.target + " is no longer configured"};
    if (target) {
        const auto source = staging_.path_of(job.staging_name);
        r = co_await on_pool(pool_, [&] {
            return target->put_file(job.object_key, source, {job.sha256, job.size}, stopping_);
        });
    }
    co_await on_pool(pool_, [&] {
        if (r) {
            store_.mark_uploaded(job.file_id, job.target);
        } else {
            const auto next = to_unix_ms(std::chrono::system_clock::now()) + backoff_ms(job.attempts);
            store_.mark_upload_failed(job.file_id, job.target, r.error().message, next);
        }
    });
    if (r) log::info("archived file " + std::to_string(job.file_id) + " to " + job.target + ": " + job.object_key);
    else log::warning("upload of file " + std::to_string(job.file_id) + " to " + job.target + " failed: " + r.error().message);
    in_flight_.erase(job.file_id);
    if (r) wake();
}

asio::awaitable<void> Uploader::write_manifests() {
    for (auto& target : targets_) {
        auto dockings = co_await on_pool(pool_, [&] { return store_.dockings_awaiting_manifest(target->url()); });
        for (const auto& id : dockings) {
            auto written = co_await on_pool(pool_, [&]() -> Result<void> {
                auto doc = store_.manifest_doc(id);
                if (!doc) {
                    auto m = build_manifest(store_, cfg_.station.id, id);
                    if (!m) return m.error();
                    const std::string sig = key_.sign(m->json);
                    doc = custody::ManifestDoc{id, m->key, m->json,
                                               to_hex(std::span(reinterpret_cast<const unsigned char*>(sig.data()), sig.size()))};
                    store_.save_manifest_doc(*doc);
                }
                std::string sig;
                for (std::size_t i = 0; i + 1 < doc->signature_hex.size(); i += 2)
                    sig.push_back(static_cast<char>(std::stoi(doc->signature_hex.substr(i, 2), nullptr, 16)));
                if (auto r = target->put_bytes(doc->object_key, doc->content); !r) return r;
                if (auto r = target->put_bytes(doc->object_key + ".sig", sig); !r) return r;
                store_.mark_manifest_written(id, target->url());
                return {};
            });
            if (!written) {
                log::warning("manifest of docking " + id + " to " + target->url() + ": " + written.error().message);
                break;
            }
            log::info("manifest of docking " + id + " written to " + target->url());
        }
    }
}

asio::awaitable<void> Uploader::purge_staging() {
    co_await on_pool(pool_, [&] {
        for (const auto& f : store_.archived_unpurged()) {
            if (!f.staging_name) continue;
            // Files still to be re-read or wiped from a docked recorder keep their copy until the
            // docking's manifest is out: the copy is the evidence the manifest describes.
            if (!store_.manifest_doc(f.docking_id)) continue;
            // Recorded first: a crash between the two leaves an unreferenced
            // copy that the next start's reconcile removes, never a row
            // pointing at a file that is gone.
            store_.mark_purged(f.id);
            if (auto r = staging_.remove(*f.staging_name); !r)
                log::warning("purge " + *f.staging_name + ": " + r.error().message);
        }
    });
}

}  // namespace dockd::upload
