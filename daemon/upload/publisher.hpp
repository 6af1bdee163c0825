// The archive's own proof from the station's side (DESIGN §11): amendments
// signed as they fall due, the audit chain cut into signed segments after
// each docking's manifest and whenever a row has waited segment_interval,
// key rotation, and the bytes of each publication when the queue sends it.
// Publications ride the media upload queue (custody uploads table): the
// same write-once targets, retries, backoff and alerts.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "daemon/archive/target.hpp"
#include "daemon/common/time.hpp"
#include "daemon/config/config.hpp"
#include "daemon/crypto/key_ring.hpp"
#include "daemon/custody/store.hpp"

namespace dockd::upload {

// Whether to cut now: rows wait unpublished, and either a manifest went out
// since the last pass or the oldest waiting row is older than interval.
bool segment_due(const std::optional<custody::AuditRow>& oldest_unpublished, bool manifest_written, SystemTime now,
                 config::Millis interval);

class Publisher {
public:
    // Times are the wall clock's, as the store stamps audit rows with it.
    Publisher(custody::Store& store, crypto::KeyRing& keys, const config::Config& cfg, std::vector<std::string> targets,
              custody::SegmentLimits limits = {});
    // Blocking (SQLite, signing): on the pool, once per uploader pass.
    void tick(bool manifest_written);
    // Sends one queued publication, then its .sig, to one target (write-once).
    Result<void> put(archive::Target& target, std::int64_t publication_id);
    // Makes key n+1 the signing key (DESIGN §11); returns it and the key_rotated row.
    Result<std::pair<crypto::KeyInfo, custody::AuditHead>> rotate_key();
    const crypto::KeyRing& keys() const { return keys_; }
    // A reload (any thread): where publications go from now on, and
    // upload.segment_interval. A new target is given what it lacks at the next tick.
    void reconfigure(std::vector<std::string> targets, config::Millis interval);

private:
    custody::Signer signer() const;
    int write_amendments();  // how many were signed and queued
    std::vector<std::string> targets() const;

    custody::Store& store_;
    crypto::KeyRing& keys_;
    std::string station_id_;
    mutable std::mutex settings_mutex_;  // interval_ and targets_: a reload changes them
    config::RetentionConfig retention_;  // retain_until of the files an amendment names
    config::Millis interval_;
    std::vector<std::string> targets_;
    custody::SegmentLimits limits_;
    std::mutex rotation_mutex_;
    std::atomic<std::int64_t> next_gap_check_ms_{0};
};

}  // namespace dockd::upload
