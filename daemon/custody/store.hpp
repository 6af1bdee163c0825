// The custody store: every fact about recorders, dockings, files, uploads and
// the audit chain, in one SQLite file (WAL). Thread-safe: one connection behind
// a mutex, so pool workers and the station strand can both call it.
#pragma once

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
#include "daemon/custody/audit_chain.hpp"
#include "daemon/custody/records.hpp"
#include "daemon/custody/sqlite.hpp"

namespace dockd::custody {

class Store {
public:
    static Result<std::unique_ptr<Store>> open(const std::filesystem::path& db_file);

    // --- audit chain (each call is its own transaction) ---
    AuditHead append_event(const std::string& kind, boost::json::object payload);
    AuditHead head();
    AuditVerdict verify();

    // --- recorders, officers, dockings ---
    std::string open_docking(int bay, const RecorderIdentity& rec, const std::optional<OfficerRecord>& officer);
    void record_health(const std::string& docking_id, int battery_percent, std::uint64_t storage_total,
                       std::uint64_t storage_free);
    void record_clock(const std::string& docking_id, const ClockMeasurement& m);
    void record_clock_set(const std::string& docking_id, bool ok, const std::string& detail);
    void finish_offload(const std::string& docking_id, int staged, int skipped, int refused, int failed);
    void record_fault(const std::string& docking_id, const std::string& reason);
    void close_docking(const std::string& docking_id, std::optional<int> battery_out, const std::string& reason);
    std::vector<std::string> open_dockings();
    std::optional<RecorderIdentity> recorder(const std::string& serial);
    std::optional<OfficerRecord> officer(const std::string& no);
    std::optional<DockingRecord> docking(const std::string& id);
    // Binds a recorder to an officer (custodian) by hand; audited.
    void assign(const std::string& serial, const OfficerRecord& officer, const std::string& source);

    // --- files ---
    // The file already known for this recorder identity (any state), if any.
    std::optional<FileRecord> find_file(const std::string& serial, const std::string& device_path,
                                        std::uint64_t size, std::int64_t device_mtime_ms);
    // Commits a staged file, its upload queue rows and its audit event at once.
    std::int64_t commit_staged(const StagedFile& f, const std::vector<std::string>& targets);
    void record_refused(const std::string& docking_id, const std::string& serial,
                        const std::string& printable_path, std::uint64_t size,
                        std::int64_t device_mtime_ms, const std::string& reason);
    void mark_verified(std::int64_t file_id, bool ok, const std::string& detail);
    void mark_wiped(std::int64_t file_id);
    void mark_lost(std::int64_t file_id, const std::string& reason);
    void mark_purged(std::int64_t file_id);
    std::vector<FileRecord> files_of_docking(const std::string& docking_id);
    std::vector<FileRecord> files_in_staging();  // staged/archived, not purged
    std::vector<std::string> staging_names();    // every staging_name ever committed, not purged

    // --- uploads ---
    std::vector<UploadJob> due_uploads(std::int64_t now_ms, int limit, const std::vector<std::int64_t>& exclude);
    // Marks one target done; when every target is done the file becomes archived.
    void mark_uploaded(std::int64_t file_id, const std::string& target);
    void mark_upload_failed(std::int64_t file_id, const std::string& target, const std::string& error,
                            std::int64_t next_attempt_ms);
    std::vector<std::string> dockings_awaiting_manifest(const std::string& target);
    std::optional<ManifestDoc> manifest_doc(const std::string& docking_id);
    void save_manifest_doc(const ManifestDoc& doc);
    void mark_manifest_written(const std::string& docking_id, const std::string& target);
    std::vector<FileRecord> archived_unpurged();
    QueueSummary queue_summary(std::int64_t now_ms);

    // --- reporting ---
    std::vector<LedgerRow> ledger(const std::optional<std::string>& from_rfc3339,
                                  const std::optional<std::string>& to_rfc3339);

private:
    explicit Store(Database db) : db_(std::move(db)) {}
    AuditHead append_locked(const std::string& kind, boost::json::object payload);
    FileRecord read_file_row(Statement& st);

    std::mutex mutex_;
    Database db_;
};

}  // namespace dockd::custody
