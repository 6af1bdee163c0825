#include "daemon/upload/publisher.hpp"

#include "daemon/common/log.hpp"
#include "daemon/upload/amendments.hpp"

namespace dockd::upload {

bool segment_due(const std::optional<custody::AuditRow>& oldest_unpublished, bool manifest_written, SystemTime now,
                 config::Millis interval) {
    if (!oldest_unpublished) return false;
    if (manifest_written) return true;
    const auto at = parse_rfc3339(oldest_unpublished->at);
    return !at || now - *at >= interval;  // an unreadable time is no reason to hold rows back
}

Publisher::Publisher(custody::Store& store, crypto::KeyRing& keys, const config::Config& cfg,
                     std::vector<std::string> targets, custody::SegmentLimits limits)
    : store_(store),
      keys_(keys),
      station_id_(cfg.station.id),
      retention_(cfg.retention),
      interval_(cfg.upload.segment_interval),
      targets_(std::move(targets)),
      limits_(limits) {}

custody::Signer Publisher::signer() const {
    return [this](std::int64_t seq, std::string_view bytes) { return keys_.sign_at(seq, bytes); };
}

void Publisher::reconfigure(std::vector<std::string> targets, config::Millis interval) {
    std::lock_guard lock(settings_mutex_);
    targets_ = std::move(targets);
    interval_ = interval;
    next_gap_check_ms_ = 0;  // a target just added gets what it lacks at the next pass
}

std::vector<std::string> Publisher::targets() const {
    std::lock_guard lock(settings_mutex_);
    return targets_;
}

void Publisher::tick(bool manifest_written) {
    const bool retained = write_amendments() > 0;
    const auto now = std::chrono::system_clock::now();
    config::Millis interval;
    {
        std::lock_guard lock(settings_mutex_);
        interval = interval_;
    }
    if (segment_due(store_.first_unpublished_row(), manifest_written, now, interval)) {
        const int cut = store_.cut_segments(station_id_, limits_, signer(), targets());
        log::info("audit chain: " + std::to_string(cut) + " segment(s) cut for publishing");
    }
    // A target added to the configuration (seen at the first pass) gets the
    // whole published chain and every long_term file, and a file retained
    // after archiving every target that lacks it; hourly besides.
    if (retained || to_unix_ms(now) >= next_gap_check_ms_.load()) {
        next_gap_check_ms_ = to_unix_ms(now) + 3'600'000;
        if (const int added = store_.queue_missing_copies(targets()); added > 0)
            log::info("queued " + std::to_string(added) +
                      " publication(s) or long_term file(s) for targets lacking them");
    }
}

int Publisher::write_amendments() {
    int written = 0;
    for (const auto& a : store_.pending_amendments()) {
        auto doc = build_amendment(store_, station_id_, retention_, a);
        auto sig = doc ? keys_.sign_at(a.seq, *doc) : Result<std::string>(doc.error());
        if (!sig) {
            log::error("amendment for audit row " + std::to_string(a.seq) + ": " + sig.error().message);
            continue;
        }
        store_.save_amendment(station_id_, a, *doc, *sig, targets());
        ++written;
        log::info("amendment of docking " + a.docking_id + " for audit row " + std::to_string(a.seq) + " signed");
    }
    return written;
}

Result<void> Publisher::put(archive::Target& target, std::int64_t publication_id) {
    auto body = store_.publication_body(publication_id);
    if (!body) return body.error();
    // The locks move before the amendment lands: its presence on the target
    // then says every object it names is held until its new date.
    if (body->kind == "amendment")
        for (const auto& [key, until] : retention_changes(body->content))
            if (auto r = target.extend_retention(key, until); !r) return r;
    if (auto r = target.put_bytes(body->object_key, body->content); !r) return r;
    if (body->signature)
        if (auto r = target.put_bytes(body->object_key + ".sig", *body->signature); !r) return r;
    return {};
}

Result<std::pair<crypto::KeyInfo, custody::AuditHead>> Publisher::rotate_key() {
    std::lock_guard lock(rotation_mutex_);
    auto next = keys_.prepare_next();
    if (!next) return next.error();
    crypto::KeyInfo active;
    const auto head =
        store_.rotate_key(station_id_, next->first, signer(), limits_, targets(), [&](const crypto::KeyInfo& info) {
            active = info;
            keys_.activate(info, std::move(next->second));
        });
    log::info("station key rotated: key " + std::to_string(active.key_no) + " signs from audit seq " +
              std::to_string(active.first_seq));
    return std::pair{active, head};
}

}  // namespace dockd::upload
