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
#include "daemon/upload/copy_back.hpp"
#include "daemon/upload/manifest.hpp"
#include "daemon/upload/object_metadata.hpp"

namespace dockd::upload {
namespace asio = boost::asio;
namespace {

const SystemClock system_clock;

// Multipart progress of one (file, target) kept in the custody store, so a
// restart resumes after the last part the store acknowledged (DESIGN §7).
class StoreJournal final : public archive::UploadJournal {
public:
    StoreJournal(custody::Store& store, std::int64_t file_id, std::string target)
        : store_(store), file_id_(file_id), target_(std::move(target)) {}
    std::optional<std::string> upload_id() override { return store_.multipart_id(file_id_, target_); }
    std::vector<archive::PartRecord> parts() override {
        std::vector<archive::PartRecord> out;
        for (const auto& p : store_.multipart_parts(file_id_, target_))
            out.push_back({p.number, p.size, p.etag, p.md5_base64});
        return out;
    }
    void begin(const std::string& id) override { store_.begin_multipart(file_id_, target_, id); }
    void part_done(const archive::PartRecord& p) override {
        store_.record_part(file_id_, target_, {p.number, p.size_bytes, p.etag, p.md5_base64});
    }
    void finish() override { store_.end_multipart(file_id_, target_); }

private:
    custody::Store& store_;
    std::int64_t file_id_;
    std::string target_;
};

// The media file's id, or nothing for a publication (its object key says it).
boost::json::object conflict_payload(const custody::UploadJob& job, const std::string& why) {
    boost::json::object p{{"target", job.target}, {"object", job.object_key}, {"error", why}};
    if (!job.publication_id) p["file_id"] = job.file_id;
    return p;
}

}  // namespace

Uploader::Uploader(asio::io_context& io, asio::thread_pool& pool, custody::Store& store, staging::StagingArea& staging,
                   TargetList targets, const config::LiveConfig& cfg, crypto::KeyRing& keys, const Clock* clock)
    : io_(io),
      pool_(pool),
      store_(store),
      staging_(staging),
      targets_(std::make_shared<const TargetList>(std::move(targets))),
      cfg_(cfg),
      keys_(keys),
      tick_(io),
      clock_(clock ? *clock : system_clock),
      publisher_(std::make_unique<Publisher>(store, keys, cfg.get(), target_urls())) {}

void Uploader::start() {
    asio::co_spawn(io_, run(), asio::detached);
}

void Uploader::stop() {
    stopping_ = true;
    tick_.cancel();
}

void Uploader::wake() {
    woken_ = true;  // a wake while a pass runs (no wait to cancel) is not lost
    tick_.cancel();
}

std::vector<std::string> Uploader::target_urls() const {
    std::vector<std::string> urls;
    for (const auto& t : *targets()) urls.push_back(t->url());
    return urls;
}

std::shared_ptr<const Uploader::TargetList> Uploader::targets() const {
    std::lock_guard lock(targets_mutex_);
    return targets_;
}

void Uploader::reconfigure(TargetList targets) {
    {
        std::lock_guard lock(targets_mutex_);
        targets_ = std::make_shared<const TargetList>(std::move(targets));
    }
    publisher_->reconfigure(target_urls(), cfg_->upload.segment_interval);
    wake();
}

std::vector<std::string> Uploader::alerts() const {
    std::lock_guard lock(alerts_mutex_);
    std::vector<std::string> out;
    for (const auto& [k, text] : alerts_) out.push_back(text);
    return out;
}

void Uploader::raise_alert(const std::string& key, const std::string& text) {
    {
        std::lock_guard lock(alerts_mutex_);
        auto& slot = alerts_[key];
        if (slot == text) return;
        slot = text;
    }
    log::error("ALERT " + text);
}

void Uploader::clear_alert(const std::string& key) {
    std::lock_guard lock(alerts_mutex_);
    alerts_.erase(key);
}

std::shared_ptr<archive::Target> Uploader::target_for(const std::string& url) const {
    for (const auto& t : *targets())
        if (t->url() == url) return t;
    return nullptr;
}

// Full jitter (AWS architecture blog): uniform in [0, min(max, initial * 2^n)].
std::int64_t Uploader::backoff_ms(int attempts) {
    const std::int64_t initial = cfg_->upload.retry.initial.count();
    const std::int64_t cap = cfg_->upload.retry.max.count();
    std::int64_t ceiling = initial;
    for (int i = 0; i < attempts && ceiling < cap; ++i) ceiling *= 2;
    ceiling = std::min(ceiling, cap);
    return std::uniform_int_distribution<std::int64_t>(0, std::max<std::int64_t>(ceiling, 1))(rng_);
}

bool Uploader::window_open() const {
    const std::time_t now = std::chrono::system_clock::to_time_t(clock_.now());
    std::tm local{};
    localtime_r(&now, &local);
    return config::window_contains(cfg_->upload.windows, local.tm_hour * 60 + local.tm_min);
}

// Files and publications are numbered apart, so they are tracked apart.
std::multiset<std::int64_t>& Uploader::in_flight(const custody::UploadJob& job) {
    return job.publication_id ? publications_in_flight_ : in_flight_;
}

asio::awaitable<void> Uploader::run() {
    while (!stopping_) {
        try {
            if (window_open()) {
                const int free_slots = cfg_->upload.concurrency - static_cast<int>(in_flight_.size()) -
                                       static_cast<int>(publications_in_flight_.size());
                if (free_slots > 0) {
                    const std::set<std::int64_t> files(in_flight_.begin(), in_flight_.end()),
                        pubs(publications_in_flight_.begin(), publications_in_flight_.end());
                    std::vector<std::int64_t> busy(files.begin(), files.end()), busy_pubs(pubs.begin(), pubs.end());
                    auto jobs = co_await on_pool(
                        pool_, [&] { return store_.due_uploads(now_ms(), free_slots, busy, busy_pubs); });
                    for (auto& job : jobs) {
                        in_flight(job).insert(job.publication_id ? job.publication_id : job.file_id);
                        asio::co_spawn(io_, upload_one(std::move(job)), asio::detached);
                    }
                }
                const bool manifest_written = co_await write_manifests();
                co_await on_pool(pool_, [&] { publisher_->tick(manifest_written); });
            }
            if (cfg_->retention.purge_staging_after_archive) co_await purge_staging();
            co_await on_pool(pool_, [&] { check_deadline(); });
        } catch (const std::exception& e) {
            log::error(std::string("uploader: ") + e.what());
        }
        if (stopping_) break;
        if (woken_.exchange(false)) continue;
        tick_.expires_after(std::chrono::seconds(1));
        boost::system::error_code ec;
        co_await tick_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
}

// Seed R3: footage not archived within retention.upload_deadline is an alert.
void Uploader::check_deadline() {
    const std::int64_t now = now_ms();
    if (now < next_deadline_check_ms_) return;
    next_deadline_check_ms_ = now + 60'000;
    const auto q = store_.queue_summary(now);
    if (q.oldest_unarchived_age_ms && *q.oldest_unarchived_age_ms > cfg_->retention.upload_deadline.count())
        raise_alert("deadline", "upload_deadline: " + std::to_string(q.files_unarchived) +
                                    " file(s) not archived, the oldest for " +
                                    std::to_string(*q.oldest_unarchived_age_ms / 60'000) + " min" +
                                    (q.last_error ? "; last error: " + *q.last_error : ""));
    else
        clear_alert("deadline");
}

asio::awaitable<void> Uploader::upload_one(custody::UploadJob job) {
    const auto target = target_for(job.target);  // kept alive to the end, whatever a reload does
    Result<void> r = Error{"target " + job.target + " is no longer configured"};
    if (target)
        r = co_await on_pool(pool_, [&] {
            return job.publication_id ? publisher_->put(*target, job.publication_id) : put_media(*target, job);
        });
    const auto failure = r ? archive::Failure::transient : archive::failure_of(r.error());
    const std::string what = job.publication_id ? job.object_key : "file " + std::to_string(job.file_id);
    co_await on_pool(pool_, [&] {
        if (!r)
            record_failure(job, r.error(), failure);
        else if (job.publication_id)
            store_.mark_published(job.publication_id, job.target);
        else
            store_.mark_uploaded(job.file_id, job.target);
    });
    if (r) {
        clear_alert(job.target);
        clear_alert(what);
        log::info("archived " + what + " to " + job.target + (job.publication_id ? "" : ": " + job.object_key));
    } else if (failure == archive::Failure::conflict || failure == archive::Failure::permanent) {
        raise_alert(what, std::string(failure == archive::Failure::conflict ? "conflict" : "upload_refused") + ": " +
                              what + " to " + job.target + ": " + r.error().message);
    } else if (failure != archive::Failure::transient) {
        raise_alert(job.target, std::string(dockd::to_string(failure)) + ": " + job.target +
                                    " refuses uploads, paused for retry.max: " + r.error().message);
    } else {
        log::warning("upload of " + what + " to " + job.target + " failed: " + r.error().message);
    }
    auto& running = in_flight(job);
    if (auto it = running.find(job.publication_id ? job.publication_id : job.file_id); it != running.end())
        running.erase(it);  // this upload only, not the same file's upload to another target
    // Success frees a slot; a failure brings a new reason, so the deadline
    // alert is recomputed now rather than at its next minute.
    if (!r) next_deadline_check_ms_ = 0;
    wake();
}

// On the pool. A long_term file owed to a target added after its staging copy
// was purged is first read back from a target that holds it.
Result<void> Uploader::put_media(archive::Target& target, const custody::UploadJob& job) {
    auto source = staging_.path_of(job.staging_name);
    std::optional<TempCopy> copy;
    if (job.staging_name.empty() || !std::filesystem::exists(source)) {
        const auto holders = store_.targets_holding(job.file_id);
        const auto from = holders.empty() ? nullptr : target_for(holders.front());
        if (!from) return Error{"file " + std::to_string(job.file_id) + ": no staging copy and no target holds it"};
        copy.emplace(staging_.root() / ".tmp" / ("copy-back-" + std::to_string(job.file_id)));
        if (auto r = copy_back(*from, job.object_key, job.sha256, copy->path(), stopping_); !r)
            return r.error().context("copy back from " + from->url());
        source = copy->path();
    }
    StoreJournal journal(store_, job.file_id, job.target);
    archive::ObjectInfo info{job.sha256, job.size, &journal,
                             object_metadata(store_, cfg_->station.id, cfg_->retention, job.file_id)};
    if (const auto f = store_.file(job.file_id))
        if (auto until = retain_until_of(cfg_->retention, *f)) info.retain_until = until->at;
    return target.put_file(job.object_key, source, info, stopping_);
}

// On the pool: the attempt's reason goes to the queue row (dockctl queue).
void Uploader::record_failure(const custody::UploadJob& job, const Error& error, archive::Failure failure) {
    const std::string& why = error.message;
    const std::string reason = dockd::to_string(failure);
    auto retry_at = [&](std::int64_t when) {
        if (job.publication_id)
            store_.mark_publication_retry(job.publication_id, job.target, why, reason, when);
        else
            store_.mark_upload_retry(job.file_id, job.target, why, reason, when);
    };
    const std::int64_t later = now_ms() + cfg_->upload.retry.max.count();
    switch (failure) {
        case archive::Failure::credentials:
        case archive::Failure::no_bucket:
            // The refusal stands for every file of this target: one request per
            // retry.max until it is fixed, not a retry storm.
            retry_at(later);
            store_.defer_target(job.target, why, reason, later);
            break;
        case archive::Failure::conflict:
        case archive::Failure::permanent:
            // Never overwritten (DESIGN §7), or refused for good: a person must
            // look. Retried slowly in case they fix the cause.
            retry_at(later);
            store_.append_event(failure == archive::Failure::conflict ? "upload_conflict" : "upload_refused",
                                conflict_payload(job, why));
            break;
        case archive::Failure::transient:
        case archive::Failure::unclassified:  // failure_of() never says so; as transient
            retry_at(now_ms() + backoff_ms(job.attempts));
            break;
    }
}

asio::awaitable<bool> Uploader::write_manifests() {
    bool any = false;
    const auto targets = this->targets();
    for (auto& target : *targets) {
        auto dockings = co_await on_pool(pool_, [&] { return store_.dockings_awaiting_manifest(target->url()); });
        for (const auto& id : dockings) {
            auto written = co_await on_pool(pool_, [&]() -> Result<void> {
                auto doc = store_.manifest_doc(id);
                if (!doc) {
                    auto m = build_manifest(store_, cfg_->station.id, cfg_->retention, id);
                    if (!m) return m.error();
                    // The key valid at the manifest's audit head signs it (DESIGN §11).
                    auto sig = keys_.sign_at(m->audit_seq, m->json);
                    if (!sig) return sig.error();
                    doc = custody::ManifestDoc{id, m->key, m->json, to_hex(*sig)};
                    store_.save_manifest_doc(*doc);
                }
                const auto sig = from_hex(doc->signature_hex);
                if (!sig) return Error{"docking " + id + ": stored manifest signature is not hex"};
                if (auto r = target->put_bytes(doc->object_key, doc->content); !r) return r;
                if (auto r = target->put_bytes(doc->object_key + ".sig", *sig); !r) return r;
                store_.mark_manifest_written(id, target->url());
                return {};
            });
            if (!written) {
                log::warning("manifest of docking " + id + " to " + target->url() + ": " + written.error().message);
                break;
            }
            any = true;
            log::info("manifest of docking " + id + " written to " + target->url());
        }
    }
    co_return any;
}

asio::awaitable<void> Uploader::purge_staging() {
    co_await on_pool(pool_, [&] {
        for (const auto& f : store_.archived_unpurged()) {
            if (!f.staging_name) continue;
            // Every target confirmed size and SHA-256: the local copy is no longer
            // the evidence (the manifest is built from the store, verify and wipe
            // compare against the recorded hash). Purging before the docking's
            // manifest lets a docking larger than a full staging disk go on.
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
