#include "daemon/common/time.hpp"
#include "daemon/custody/file_columns.hpp"
#include "daemon/custody/store.hpp"

namespace dockd::custody {
namespace {
std::string now_text() {
    return rfc3339(std::chrono::system_clock::now());
}
}  // namespace

FileRecord Store::read_file_row(Statement& st) {
    FileRecord f;
    f.id = st.int64(0);
    f.docking_id = st.text(1);
    f.serial = st.text(2);
    f.device_path = st.text(3);
    f.size = static_cast<std::uint64_t>(st.int64(4));
    f.device_mtime_ms = st.int64(5);
    const auto state = file_state_from(st.text(6));
    if (!state)  // the schema's CHECK allows no other: a damaged database
        throw std::runtime_error("files row " + std::to_string(f.id) + ": unknown state '" + st.text(6) + "'");
    f.state = *state;
    f.reason = st.opt_text(7);
    f.sha256 = st.opt_text(8);
    f.staging_name = st.opt_text(9);
    f.object_key = st.opt_text(10);
    f.recorded_at_device = st.opt_text(11);
    f.recorded_at = st.opt_text(12);
    f.ingested_at = st.opt_text(13);
    f.verified_at = st.opt_text(14);
    f.wiped_at = st.opt_text(15);
    f.archived_at = st.opt_text(16);
    f.purged_at = st.opt_text(17);
    f.retention = st.text(18);
    f.important = st.int64(19) != 0;
    f.retain_class = st.opt_text(20);
    f.described_at = st.opt_text(21);
    if (auto integrity = st.opt_text(22)) {
        media::MediaFacts m;
        m.integrity = *integrity;
        m.container = st.opt_text(23);
        m.duration_ms = st.opt_int64(24);
        m.video_codec = st.opt_text(25);
        m.width = st.opt_int64(26);
        m.height = st.opt_int64(27);
        m.audio_codec = st.opt_text(28);
        m.created_at = st.opt_text(29);
        m.detail = st.opt_text(30).value_or("");
        f.media = std::move(m);
    }
    return f;
}

std::optional<FileRecord> Store::find_file(const std::string& serial, const std::string& device_path,
                                           std::uint64_t size, std::int64_t device_mtime_ms) {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(
        std::string("SELECT ") + file_columns +
        " FROM files WHERE serial=? AND device_path=? AND size=? AND device_mtime_ms=? AND state!='failed'");
    st.bind(1, serial).bind(2, device_path).bind(3, size).bind(4, device_mtime_ms);
    if (!st.step()) return std::nullopt;
    return read_file_row(st);
}

std::int64_t Store::commit_staged(const StagedFile& f, const std::vector<std::string>& targets) {
    return commit_staged(std::vector<StagedFile>{f}, targets).front();
}

std::vector<std::int64_t> Store::commit_staged(const std::vector<StagedFile>& files,
                                               const std::vector<std::string>& targets) {
    std::vector<std::int64_t> ids;
    if (files.empty()) return ids;
    std::lock_guard lock(mutex_);
    Transaction tx(db_);
    auto insert = db_.prepare(
        "INSERT INTO files(docking_id, serial, device_path, size, device_mtime_ms, state, sha256, "
        "staging_name, object_key, recorded_at_device, recorded_at, ingested_at, important, retention) "
        "VALUES(?,?,?,?,?,'staged',?,?,?,?,?,?,?,?)");
    auto queue = db_.prepare("INSERT INTO uploads(file_id, target, state) VALUES(?,?,'pending')");
    for (const auto& f : files) {
        insert.reset();
        insert.bind(1, f.docking_id)
            .bind(2, f.serial)
            .bind(3, f.device_path)
            .bind(4, f.size)
            .bind(5, f.device_mtime_ms)
            .bind(6, f.sha256)
            .bind(7, f.staging_name)
            .bind(8, f.object_key)
            .bind(9, f.recorded_at_device)
            .bind(10, f.recorded_at)
            .bind(11, f.ingested_at)
            .bind(12, f.important ? 1 : 0)
            .bind(13, f.important ? "long_term" : "standard")
            .run();
        const std::int64_t id = db_.last_insert_id();
        for (const auto& t : targets) {
            queue.reset();
            queue.bind(1, id).bind(2, t).run();
        }
        append_locked("file_staged", {{"docking", f.docking_id},
                                      {"file_id", id},
                                      {"device_path", f.device_path},
                                      {"size", f.size},
                                      {"sha256", f.sha256},
                                      {"object", f.object_key},
                                      {"recorded_at", f.recorded_at ? boost::json::value(*f.recorded_at) : nullptr}});
        ids.push_back(id);
    }
    tx.commit();
    return ids;
}

void Store::record_refused(const std::string& docking_id, const std::string& serial, const std::string& printable_path,
                           std::uint64_t size, std::int64_t device_mtime_ms, const std::string& reason) {
    record_not_ingested("refused", docking_id, serial, printable_path, size, device_mtime_ms, reason);
}

void Store::record_failed(const std::string& docking_id, const std::string& serial, const std::string& printable_path,
                          std::uint64_t size, std::int64_t device_mtime_ms, const std::string& reason) {
    record_not_ingested("failed", docking_id, serial, printable_path, size, device_mtime_ms, reason);
}

// A refusal is recorded once per file identity (the next docking finds it);
// a failure once per docking that tried (the identity index leaves failed
// rows out, so the next docking tries again).
void Store::record_not_ingested(const char* state, const std::string& docking_id, const std::string& serial,
                                const std::string& printable_path, std::uint64_t size, std::int64_t device_mtime_ms,
                                const std::string& reason) {
    std::lock_guard lock(mutex_);
    Transaction tx(db_);
    db_.prepare(
           "INSERT OR IGNORE INTO files(docking_id, serial, device_path, size, device_mtime_ms, state, reason) "
           "VALUES(?,?,?,?,?,?,?)")
        .bind(1, docking_id)
        .bind(2, serial)
        .bind(3, printable_path)
        .bind(4, size)
        .bind(5, device_mtime_ms)
        .bind(6, state)
        .bind(7, reason)
        .run();
    if (db_.changes() == 0) return;  // refused at an earlier docking already
    append_locked(std::string("file_") + state, {{"docking", docking_id},
                                                 {"file_id", db_.last_insert_id()},
                                                 {"device_path", printable_path},
                                                 {"size", size},
                                                 {"reason", reason}});
    tx.commit();
}

void Store::mark_verified(std::int64_t file_id, bool ok, const std::string& detail) {
    std::lock_guard lock(mutex_);
    Transaction tx(db_);
    if (ok) db_.prepare("UPDATE files SET verified_at=? WHERE id=?").bind(1, now_text()).bind(2, file_id).run();
    append_locked("verified", {{"file_id", file_id}, {"ok", ok}, {"detail", detail}});
    tx.commit();
}

void Store::mark_wiped(std::int64_t file_id) {
    std::lock_guard lock(mutex_);
    Transaction tx(db_);
    db_.prepare("UPDATE files SET wiped_at=? WHERE id=?").bind(1, now_text()).bind(2, file_id).run();
    append_locked("wiped", {{"file_id", file_id}});
    tx.commit();
}

void Store::mark_lost(std::int64_t file_id, const std::string& reason) {
    std::lock_guard lock(mutex_);
    Transaction tx(db_);
    db_.prepare("UPDATE files SET state='lost', reason=? WHERE id=?").bind(1, reason).bind(2, file_id).run();
    db_.prepare("DELETE FROM uploads WHERE file_id=? AND state='pending'").bind(1, file_id).run();
    append_locked("file_lost", {{"file_id", file_id}, {"reason", reason}});
    tx.commit();
}

void Store::mark_purged(std::int64_t file_id) {
    std::lock_guard lock(mutex_);
    Transaction tx(db_);
    db_.prepare("UPDATE files SET purged_at=? WHERE id=?").bind(1, now_text()).bind(2, file_id).run();
    append_locked("staging_purged", {{"file_id", file_id}});
    tx.commit();
}

std::vector<FileRecord> Store::files_of_docking(const std::string& docking_id) {
    std::lock_guard lock(mutex_);
    std::vector<FileRecord> out;
    auto st = db_.prepare(std::string("SELECT ") + file_columns + " FROM files WHERE docking_id=? ORDER BY id");
    st.bind(1, docking_id);
    while (st.step()) out.push_back(read_file_row(st));
    return out;
}

std::vector<FileRecord> Store::files_in_staging() {
    std::lock_guard lock(mutex_);
    std::vector<FileRecord> out;
    auto st = db_.prepare(std::string("SELECT ") + file_columns +
                          " FROM files INDEXED BY files_unpurged WHERE " DOCKD_SQL_COUNTED("files") " "
                          "AND staging_name IS NOT NULL AND purged_at IS NULL");
    while (st.step()) out.push_back(read_file_row(st));
    return out;
}

std::vector<std::string> Store::staging_names() {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    // The planner would rather walk staging_name's UNIQUE index: every name
    // ever committed, a million on an old station (start-up took seconds).
    auto st = db_.prepare(
        "SELECT staging_name FROM files INDEXED BY files_unpurged WHERE staging_name IS NOT NULL AND purged_at IS "
        "NULL");
    while (st.step()) out.push_back(st.text(0));
    return out;
}

}  // namespace dockd::custody
