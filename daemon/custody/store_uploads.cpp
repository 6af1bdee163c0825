#include <algorithm>

#include "daemon/common/time.hpp"
#include "daemon/custody/file_columns.hpp"
#include "daemon/custody/store.hpp"

namespace dockd::custody {
namespace {
std::string now_text() {
    return rfc3339(std::chrono::system_clock::now());
}
}  // namespace

std::vector<UploadJob> Store::due_uploads(std::int64_t now_ms, int limit, const std::vector<std::int64_t>& exclude,
                                          const std::vector<std::int64_t>& exclude_publications) {
    std::lock_guard lock(mutex_);
    std::vector<UploadJob> out;
    auto skip = [](const std::vector<std::int64_t>& ids, std::int64_t id) {
        return std::find(ids.begin(), ids.end(), id) != ids.end();
    };
    // A target that refused us as a whole (credentials, bucket) waits as a
    // whole: rows queued after the refusal (media or publications) take on
    // its pause and its reason, as defer_target gave the rows queued before.
    db_.prepare(
           "UPDATE uploads SET (last_error, reason_class, next_attempt_ms) = (SELECT p.last_error, p.reason_class, "
           "p.next_attempt_ms FROM uploads p WHERE p.target=uploads.target AND p.state='pending' AND "
           "p.next_attempt_ms > ?1 AND p.reason_class IN ('credentials','no_bucket') ORDER BY p.next_attempt_ms "
           "DESC LIMIT 1) WHERE state='pending' AND next_attempt_ms <= ?1 AND target IN (SELECT target FROM uploads "
           "WHERE state='pending' AND next_attempt_ms > ?1 AND reason_class IN ('credentials','no_bucket'))")
        .bind(1, now_ms)
        .run();
    auto pubs = db_.prepare(
        "SELECT u.publication_id, u.target, u.attempts, p.object_key, p.sha256, p.size "
        "FROM uploads u JOIN publications p ON p.id = u.publication_id "
        "WHERE u.state='pending' AND u.next_attempt_ms <= ?1 ORDER BY p.id LIMIT ?2");
    pubs.bind(1, now_ms).bind(2, limit + static_cast<int>(exclude_publications.size()));
    while (pubs.step() && static_cast<int>(out.size()) < limit) {
        UploadJob j;
        j.publication_id = pubs.int64(0);
        if (skip(exclude_publications, j.publication_id)) continue;
        j.target = pubs.text(1);
        j.attempts = static_cast<int>(pubs.int64(2));
        j.object_key = pubs.text(3);
        j.sha256 = pubs.text(4);
        j.size = static_cast<std::uint64_t>(pubs.int64(5));
        out.push_back(std::move(j));
    }
    // Long-term and recorder-marked files first, then oldest (seed R8, DESIGN §3).
    auto st = db_.prepare(
        "SELECT u.file_id, u.target, u.attempts, f.staging_name, f.object_key, f.sha256, f.size "
        "FROM uploads u JOIN files f ON f.id = u.file_id "
        "WHERE u.state='pending' AND u.next_attempt_ms <= ?1 AND " DOCKD_SQL_COUNTED("f") " "
        "AND (?3 = 0 OR f.media_probed_at IS NOT NULL) "  // media facts travel with the object (issue 14)
        "ORDER BY (f.retention='long_term' OR f.important) DESC, f.id LIMIT ?2");
    st.bind(1, now_ms).bind(2, limit + static_cast<int>(exclude.size())).bind(3, media_probe_required_ ? 1 : 0);
    while (st.step() && static_cast<int>(out.size()) < limit) {
        UploadJob j;
        j.file_id = st.int64(0);
        if (skip(exclude, j.file_id)) continue;
        j.target = st.text(1);
        j.attempts = static_cast<int>(st.int64(2));
        j.staging_name = st.opt_text(3).value_or("");
        j.object_key = st.text(4);
        j.sha256 = st.text(5);
        j.size = static_cast<std::uint64_t>(st.int64(6));
        out.push_back(std::move(j));
    }
    return out;
}

void Store::mark_uploaded(std::int64_t file_id, const std::string& target) {
    std::lock_guard lock(mutex_);
    const std::string now = now_text();
    Transaction tx(db_);
    db_.prepare("UPDATE uploads SET state='done', done_at=?, last_error=NULL WHERE file_id=? AND target=?")
        .bind(1, now)
        .bind(2, file_id)
        .bind(3, target)
        .run();
    append_locked("archived", {{"file_id", file_id}, {"target", target}});
    auto st = db_.prepare("SELECT COUNT(*) FROM uploads WHERE file_id=? AND state!='done'");
    st.bind(1, file_id);
    st.step();
    if (st.int64(0) == 0)
        db_.prepare("UPDATE files SET state='archived', archived_at=? WHERE id=? AND state='staged'")
            .bind(1, now)
            .bind(2, file_id)
            .run();
    tx.commit();
}

std::optional<std::string> Store::upload_refused(std::int64_t file_id) {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(
        "SELECT COALESCE(last_error, reason_class) FROM uploads WHERE file_id=? AND state='pending' "
        "AND reason_class IN ('permanent','conflict') LIMIT 1");
    st.bind(1, file_id);
    if (!st.step()) return std::nullopt;
    return st.text(0);
}

std::vector<std::string> Store::dockings_awaiting_manifest(const std::string& target) {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    // Offload finished, no manifest on this target yet, and every staged file of
    // the docking confirmed by every target (DESIGN §7: manifests come last).
    auto st = db_.prepare(
        "SELECT d.id FROM dockings d WHERE d.offload_done_at IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM manifests m WHERE m.docking_id=d.id AND m.target=?1) "
        "AND NOT EXISTS (SELECT 1 FROM files f JOIN uploads u ON u.file_id=f.id "
        "                WHERE f.docking_id=d.id AND u.state!='done') "
        "ORDER BY d.docked_at");
    st.bind(1, target);
    while (st.step()) out.push_back(st.text(0));
    return out;
}

std::optional<ManifestDoc> Store::manifest_doc(const std::string& docking_id) {
    std::lock_guard lock(mutex_);
    auto st =
        db_.prepare("SELECT docking_id, object_key, content, signature_hex FROM manifest_docs WHERE docking_id=?");
    st.bind(1, docking_id);
    if (!st.step()) return std::nullopt;
    return ManifestDoc{st.text(0), st.text(1), st.text(2), st.text(3)};
}

void Store::save_manifest_doc(const ManifestDoc& doc) {
    std::lock_guard lock(mutex_);
    Transaction tx(db_);
    db_.prepare(
           "INSERT INTO manifest_docs(docking_id, object_key, content, signature_hex, signed_at) VALUES(?,?,?,?,?)")
        .bind(1, doc.docking_id)
        .bind(2, doc.object_key)
        .bind(3, doc.content)
        .bind(4, doc.signature_hex)
        .bind(5, now_text())
        .run();
    append_locked("manifest_signed",
                  {{"docking", doc.docking_id}, {"object", doc.object_key}, {"signature", doc.signature_hex}});
    tx.commit();
}

void Store::mark_manifest_written(const std::string& docking_id, const std::string& target) {
    std::lock_guard lock(mutex_);
    Transaction tx(db_);
    db_.prepare("INSERT OR IGNORE INTO manifests(docking_id, target, written_at) VALUES(?,?,?)")
        .bind(1, docking_id)
        .bind(2, target)
        .bind(3, now_text())
        .run();
    append_locked("manifest_written", {{"docking", docking_id}, {"target", target}});
    tx.commit();
}

std::vector<FileRecord> Store::archived_unpurged() {
    std::lock_guard lock(mutex_);
    std::vector<FileRecord> out;
    auto st = db_.prepare(std::string("SELECT ") + file_columns +
                          " FROM files INDEXED BY files_unpurged WHERE state='archived' AND staging_name IS NOT NULL "
                          "AND purged_at IS NULL "  // not files_state: every archived file ever
                          "AND (?1 = 0 OR media_probed_at IS NOT NULL)");
    st.bind(1, media_probe_required_ ? 1 : 0);  // the probe reads the staged copy
    while (st.step()) out.push_back(read_file_row(st));
    return out;
}

QueueSummary Store::queue_summary(std::int64_t now_ms) {
    std::lock_guard lock(mutex_);
    QueueSummary q;
    // Files, as dockctl queue lists them: totals from the tallies, the failing
    // ones among the pending (uploads_due), never a scan of every upload.
    const auto pending = tally("uploads:pending").n;
    auto st = db_.prepare("SELECT COUNT(*) FROM uploads WHERE state='pending' AND attempts>0 AND file_id IS NOT NULL");
    if (st.step()) q.failing = st.int64(0);
    q.pending = pending - q.failing;
    q.done = tally("uploads:done").n;
    // The upload deadline (seed R3) runs until the first time a file was
    // archived; a long-term file re-opened for a new target has met it.
    auto old = db_.prepare(
        "SELECT COUNT(*), MIN(CASE WHEN archived_at IS NULL THEN ingested_at END) FROM files WHERE state='staged'");
    if (old.step()) {
        q.files_unarchived = old.int64(0);
        if (auto t = old.opt_text(1))
            if (auto tp = parse_rfc3339(*t)) q.oldest_unarchived_age_ms = now_ms - to_unix_ms(*tp);
    }
    auto err = db_.prepare(
        "SELECT last_error FROM uploads WHERE state='pending' AND last_error IS NOT NULL "
        "ORDER BY next_attempt_ms DESC LIMIT 1");
    if (err.step()) q.last_error = err.text(0);
    return q;
}

}  // namespace dockd::custody
