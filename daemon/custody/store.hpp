// The custody store: every fact about recorders, dockings, files, uploads and
// the audit chain, in one SQLite file (WAL). Thread-safe: one connection behind
// a mutex, so pool workers and the station strand can both call it.
#pragma once

#include <atomic>
#include <boost/json/object.hpp>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "daemon/common/result.hpp"
#include "daemon/crypto/key_ring.hpp"
#include "daemon/custody/audit_chain.hpp"
#include "daemon/custody/publish_records.hpp"
#include "daemon/custody/records.hpp"
#include "daemon/custody/sqlite.hpp"

namespace dockd::custody {

class Store {
public:
    static Result<std::unique_ptr<Store>> open(const std::filesystem::path& db_file);

    // --- audit chain (each call is its own transaction) ---
    AuditHead append_event(const std::string& kind, boost::json::object payload);
    AuditHead head();
    // Read in batches of `batch` rows, each under the lock, hashed outside it.
    AuditVerdict verify(std::int64_t batch = 20'000);

    // --- recorders, officers, dockings ---
    // officer: as the recorder reports it; the custodian is the last manual
    // assignment of the serial when there is one.
    OpenedDocking open_docking(int bay, const RecorderIdentity& rec, const std::optional<OfficerRecord>& officer);
    void record_health(const std::string& docking_id, const HealthReading& h);
    void record_clock(const std::string& docking_id, const ClockMeasurement& m);
    void record_clock_set(const std::string& docking_id, ClockSet outcome, const std::string& detail);
    // The first time a docking's bay shows "ready", with the rule that made it.
    void record_ready(const std::string& docking_id, const std::string& rule);
    // WriteZFYInfo of the assigned officer to the recorder (audited).
    void record_officer_written(const std::string& docking_id, const std::string& officer_no, bool ok,
                                const std::string& detail);
    void finish_offload(const std::string& docking_id, int staged, int skipped, int refused, int failed);
    void record_fault(const std::string& docking_id, const std::string& reason);
    void close_docking(const std::string& docking_id, std::optional<int> battery_out, const std::string& reason);
    std::vector<std::string> open_dockings();
    std::optional<RecorderIdentity> recorder(const std::string& serial);
    std::optional<OfficerRecord> officer(const std::string& no);
    std::optional<DockingRecord> docking(const std::string& id);
    // Binds a recorder to an officer (custodian) by hand; audited.
    // `by`: who made it (the API caller's token name); a ledger row (seed R1).
    void assign(const std::string& serial, const OfficerRecord& officer, const std::string& source,
                const std::string& by = "station");

    // --- files ---
    // The file already known for this recorder identity (staged, archived,
    // refused or lost; a failed attempt is not "known"), if any.
    std::optional<FileRecord> find_file(const std::string& serial, const std::string& device_path, std::uint64_t size,
                                        std::int64_t device_mtime_ms);
    // Commits a staged file, its upload queue rows and its audit event at once.
    std::int64_t commit_staged(const StagedFile& f, const std::vector<std::string>& targets);
    // Many at once, one transaction (small files' group commit); ids in order.
    std::vector<std::int64_t> commit_staged(const std::vector<StagedFile>& files,
                                            const std::vector<std::string>& targets);
    void record_refused(const std::string& docking_id, const std::string& serial, const std::string& printable_path,
                        std::uint64_t size, std::int64_t device_mtime_ms, const std::string& reason);
    // A listed file that could not be copied (vanished, unreadable, I/O error).
    void record_failed(const std::string& docking_id, const std::string& serial, const std::string& printable_path,
                       std::uint64_t size, std::int64_t device_mtime_ms, const std::string& reason);
    void mark_verified(std::int64_t file_id, bool ok, const std::string& detail);
    void mark_wiped(std::int64_t file_id);
    void mark_lost(std::int64_t file_id, const std::string& reason);
    void mark_purged(std::int64_t file_id);
    std::vector<FileRecord> files_of_docking(const std::string& docking_id);
    std::vector<FileRecord> files_in_staging();  // staged/archived, not purged
    std::vector<std::string> staging_names();    // every staging_name ever committed, not purged

    // --- media facts (issue 14, DESIGN §13; store_media.cpp) ---
    // Whether the media probe runs: while it does, a file is uploaded, purged
    // from staging and wiped from the recorder only once it was probed.
    void require_media_probe(bool on) { media_probe_required_ = on; }
    bool media_probe_required() const { return media_probe_required_; }
    std::vector<ProbeDue> files_to_probe(int limit);                          // oldest first, staged copy present
    void record_media(std::int64_t file_id, const media::MediaFacts& facts);  // audited `media_probed`
    // Several in one transaction (one fsync): the probe worker's batches.
    void record_media(const std::vector<std::pair<std::int64_t, media::MediaFacts>>& probed);
    int media_unprobed(const std::string& docking_id);
    // Truncated recordings of the docking: device paths, in commit order.
    std::vector<std::string> truncated_files(const std::string& docking_id);
    // Truncated recordings of dockings since the given time, for the alert.
    std::vector<TruncatedRecording> truncated_since(const std::string& since_rfc3339);

    // --- uploads ---
    // Publications first (small, and the proof should be timely), then media.
    std::vector<UploadJob> due_uploads(std::int64_t now_ms, int limit, const std::vector<std::int64_t>& exclude,
                                       const std::vector<std::int64_t>& exclude_publications = {});
    // Marks one target done; when every target is done the file becomes archived.
    void mark_uploaded(std::int64_t file_id, const std::string& target);
    // Why a target refuses this file for good (a permanent failure or a
    // conflict), while it stays unarchived; nullopt when none does.
    std::optional<std::string> upload_refused(std::int64_t file_id);
    std::vector<std::string> dockings_awaiting_manifest(const std::string& target);
    std::optional<ManifestDoc> manifest_doc(const std::string& docking_id);
    void save_manifest_doc(const ManifestDoc& doc);
    void mark_manifest_written(const std::string& docking_id, const std::string& target);
    std::vector<FileRecord> archived_unpurged();
    QueueSummary queue_summary(std::int64_t now_ms);

    // --- multipart (issue 4) --- store_parts.cpp
    std::optional<std::string> multipart_id(std::int64_t file_id, const std::string& target);
    std::vector<MultipartPart> multipart_parts(std::int64_t file_id, const std::string& target);
    // Records a new upload id and forgets the parts of any older one.
    void begin_multipart(std::int64_t file_id, const std::string& target, const std::string& upload_id);
    void record_part(std::int64_t file_id, const std::string& target, const MultipartPart& part);
    void end_multipart(std::int64_t file_id, const std::string& target);
    // A failed attempt with its reason class (see UploadRow).
    void mark_upload_retry(std::int64_t file_id, const std::string& target, const std::string& error,
                           const std::string& reason_class, std::int64_t next_attempt_ms);
    // The target refused us as a whole (credentials, bucket): every pending row
    // of it waits until not_before_ms, so a bad key makes one request, not a storm.
    void defer_target(const std::string& target, const std::string& error, const std::string& reason_class,
                      std::int64_t not_before_ms);
    std::vector<UploadRow> upload_rows(int limit);  // pending first (by next attempt), then latest done

    // --- reporting ---
    std::vector<LedgerRow> ledger(const std::optional<std::string>& from_rfc3339,
                                  const std::optional<std::string>& to_rfc3339);

    // --- people-facing (issue 5) ---
    // Writes the access register row and its audit event at once (seed R6).
    void register_access(const AccessEntry& e);
    std::vector<AccessEntry> access_log(int limit);
    std::vector<DockingListRow> dockings_since(const std::optional<std::string>& since_rfc3339, int limit);
    std::optional<FileRecord> file(std::int64_t id);
    std::vector<FileRecord> files_by_state(const std::optional<std::string>& state,
                                           const std::optional<std::string>& docking_id, int limit);
    std::optional<std::string> retain_reason(std::int64_t file_id);
    // long_term retention (seed R8), audited; return how many files changed or
    // nullopt when the file/docking does not exist.
    // retain_class: a bureau class of retention.classes (seed R7), or none.
    std::optional<int> retain_file(std::int64_t file_id, const std::string& reason, const std::string& by,
                                   const std::optional<std::string>& retain_class = std::nullopt);
    std::optional<int> retain_docking(const std::string& docking_id, const std::string& reason, const std::string& by,
                                      const std::optional<std::string>& retain_class = std::nullopt);
    // Annotation of a file xor a docking (seed R9), audited; nullopt when it does not exist.
    std::optional<std::int64_t> annotate(Annotation a);
    // Annotations of the docking itself and of each of its files.
    std::vector<Annotation> annotations_of_docking(const std::string& docking_id);
    std::vector<Annotation> annotations_of_file(std::int64_t file_id);
    StoreTotals totals();

    // --- regulation rules (issue 14) --- store_rules.cpp
    // Staged or archived files never described, ingested before the cutoff, oldest first.
    std::vector<UndescribedFile> undescribed(const std::string& ingested_before_rfc3339, int limit);
    // The same, counted per officer and local day of ingest (cheap at any size).
    std::vector<UndescribedCount> undescribed_counts(const std::string& ingested_before_rfc3339);
    // long_term files (seed R8) ingested before the cutoff and confirmed by
    // fewer than `copies` targets.
    std::int64_t long_term_short_of_copies(const std::string& ingested_before_rfc3339, int copies);
    // by: officer | recorder | unit; dockings with from <= docked_at < to.
    std::vector<StatsRow> stats(const std::string& by, const std::optional<std::string>& from_rfc3339,
                                const std::optional<std::string>& to_rfc3339, const DescribeDue& due,
                                const std::string& now_rfc3339);
    std::optional<std::string> first_docked_at();
    std::vector<OverdueRecorder> overdue_recorders(const std::string& undocked_before_rfc3339);

    // --- the archive's own proof (issue 10, DESIGN §11) --- store_publish.cpp
    std::vector<crypto::KeyInfo> station_keys();
    // Key 1 at the first start (or on a station older than key rotation);
    // does nothing once a key is registered. Every registered key goes out
    // as keys/<station>/<n>.pem with the next segment cut.
    void register_first_key(const crypto::KeyInfo& key);
    // Appends key_rotated {key_no, public_key}, cuts the chain up to that row
    // (signed by the old key), registers and queues the new key, then calls
    // activate with its first seq while no other store call can run.
    AuditHead rotate_key(const std::string& station_id, crypto::KeyInfo next, const Signer& sign,
                         const SegmentLimits& limits, const std::vector<std::string>& targets,
                         const std::function<void(const crypto::KeyInfo&)>& activate);
    // Fixes every row after the last segment up to the head into signed
    // segments queued for every target, in one transaction; returns how many.
    int cut_segments(const std::string& station_id, const SegmentLimits& limits, const Signer& sign,
                     const std::vector<std::string>& targets);
    std::optional<AuditRow> first_unpublished_row();
    std::optional<AuditRow> audit_row(std::int64_t seq);
    std::vector<SegmentRecord> segments();
    std::vector<PendingAmendment> pending_amendments();
    void save_amendment(const std::string& station_id, const PendingAmendment& a, const std::string& content,
                        const std::string& signature, const std::vector<std::string>& targets);
    Result<PublicationBody> publication_body(std::int64_t publication_id);
    void mark_published(std::int64_t publication_id, const std::string& target);
    void mark_publication_retry(std::int64_t publication_id, const std::string& target, const std::string& error,
                                const std::string& reason_class, std::int64_t next_attempt_ms);
    // Queues every publication, and every long_term file, for each target
    // that has no row for it yet (a target added later); returns rows added.
    int queue_missing_copies(const std::vector<std::string>& targets);
    // Targets that confirmed holding the file (a source once staging is purged).
    std::vector<std::string> targets_holding(std::int64_t file_id);

private:
    explicit Store(Database db) : db_(std::move(db)) {}
    void record_media_locked(std::int64_t file_id, const media::MediaFacts& facts);
    AuditHead append_locked(const std::string& kind, boost::json::object payload);
    // A count the schema's triggers keep (migration 6): "files:<state>", "uploads:<state>".
    struct Tally {
        std::int64_t n = 0, bytes = 0;
    };
    Tally tally(const char* name);
    static void read_upload_rows(Statement& st, std::vector<UploadRow>& out);
    void upsert_officer(const OfficerRecord& o, const std::string& now);
    void record_not_ingested(const char* state, const std::string& docking_id, const std::string& serial,
                             const std::string& printable_path, std::uint64_t size, std::int64_t device_mtime_ms,
                             const std::string& reason);
    FileRecord read_file_row(Statement& st);
    void add_assignments(const std::optional<std::string>& from_rfc3339, const std::optional<std::string>& to_rfc3339,
                         std::vector<LedgerRow>& out);
    static DockingRecord read_docking_row(Statement& st);
    // Starts (upload_id) or ends (nullopt) a multipart upload: its parts go either way.
    void reset_multipart(std::int64_t file_id, const std::string& target, const std::optional<std::string>& upload_id);
    void queue_unpublished_keys(const std::string& station_id, const std::vector<std::string>& targets);
    int cut_segments_locked(const std::string& station_id, std::int64_t last_seq, const SegmentLimits& limits,
                            const Signer& sign, const std::vector<std::string>& targets);
    void retry_row(const char* column, std::int64_t id, const std::string& target, const std::string& error,
                   const std::string& reason_class, std::int64_t next_attempt_ms);

    std::mutex mutex_;
    Database db_;
    std::atomic<bool> media_probe_required_{false};
};

}  // namespace dockd::custody
