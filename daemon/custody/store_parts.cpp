// Multipart progress and the queue view (issue 4): the S3 upload id and each
// finished part are committed as they complete, so a restart resumes after
// the last part the store acknowledged.
#include "daemon/custody/store.hpp"

namespace dockd::custody {

std::optional<std::string> Store::multipart_id(std::int64_t file_id, const std::string& target) {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare("SELECT upload_id FROM uploads WHERE file_id=? AND target=?");
    st.bind(1, file_id).bind(2, target);
    if (!st.step()) return std::nullopt;
    return st.opt_text(0);
}

std::vector<MultipartPart> Store::multipart_parts(std::int64_t file_id, const std::string& target) {
    std::lock_guard lock(mutex_);
    std::vector<MultipartPart> out;
    auto st = db_.prepare(
        "SELECT part_number, size, etag, md5 FROM upload_parts WHERE file_id=? AND target=? ORDER BY part_number");
    st.bind(1, file_id).bind(2, target);
    while (st.step())
        out.push_back({static_cast<int>(st.int64(0)), static_cast<std::uint64_t>(st.int64(1)), st.text(2), st.text(3)});
    return out;
}

void Store::reset_multipart(std::int64_t file_id, const std::string& target,
                            const std::optional<std::string>& upload_id) {
    std::lock_guard lock(mutex_);
    Transaction tx(db_);
    db_.prepare("DELETE FROM upload_parts WHERE file_id=? AND target=?").bind(1, file_id).bind(2, target).run();
    db_.prepare("UPDATE uploads SET upload_id=? WHERE file_id=? AND target=?")
        .bind(1, upload_id)
        .bind(2, file_id)
        .bind(3, target)
        .run();
    tx.commit();
}

void Store::begin_multipart(std::int64_t file_id, const std::string& target, const std::string& upload_id) {
    reset_multipart(file_id, target, upload_id);
}

void Store::record_part(std::int64_t file_id, const std::string& target, const MultipartPart& part) {
    std::lock_guard lock(mutex_);
    db_.prepare(
           "INSERT OR REPLACE INTO upload_parts(file_id, target, part_number, size, etag, md5) VALUES(?,?,?,?,?,?)")
        .bind(1, file_id)
        .bind(2, target)
        .bind(3, static_cast<std::int64_t>(part.number))
        .bind(4, static_cast<std::int64_t>(part.size))
        .bind(5, part.etag)
        .bind(6, part.md5_base64)
        .run();
}

void Store::end_multipart(std::int64_t file_id, const std::string& target) {
    reset_multipart(file_id, target, std::nullopt);
}

void Store::mark_upload_retry(std::int64_t file_id, const std::string& target, const std::string& error,
                              const std::string& reason_class, std::int64_t next_attempt_ms) {
    retry_row("file_id", file_id, target, error, reason_class, next_attempt_ms);
}

void Store::mark_publication_retry(std::int64_t publication_id, const std::string& target, const std::string& error,
                                   const std::string& reason_class, std::int64_t next_attempt_ms) {
    retry_row("publication_id", publication_id, target, error, reason_class, next_attempt_ms);
}

void Store::retry_row(const char* column, std::int64_t id, const std::string& target, const std::string& error,
                      const std::string& reason_class, std::int64_t next_attempt_ms) {
    std::lock_guard lock(mutex_);
    db_.prepare(std::string("UPDATE uploads SET attempts=attempts+1, last_error=?, reason_class=?, next_attempt_ms=? "
                            "WHERE ") +
                column + "=? AND target=?")
        .bind(1, error)
        .bind(2, reason_class)
        .bind(3, next_attempt_ms)
        .bind(4, id)
        .bind(5, target)
        .run();
}

void Store::defer_target(const std::string& target, const std::string& error, const std::string& reason_class,
                         std::int64_t not_before_ms) {
    std::lock_guard lock(mutex_);
    Transaction tx(db_);
    db_.prepare(
           "UPDATE uploads SET last_error=?, reason_class=?, next_attempt_ms=MAX(next_attempt_ms, ?) "
           "WHERE target=? AND state='pending'")
        .bind(1, error)
        .bind(2, reason_class)
        .bind(3, not_before_ms)
        .bind(4, target)
        .run();
    append_locked("target_refused", {{"target", target}, {"reason", reason_class}, {"error", error}});
    tx.commit();
}

std::vector<UploadRow> Store::upload_rows(int limit) {
    std::lock_guard lock(mutex_);
    std::vector<UploadRow> out;
    // Two indexed walks (uploads_due, then uploads_file backwards), never a
    // sort of every row: a station keeps a million confirmed uploads.
    static constexpr const char* columns =
        "SELECT u.file_id, u.target, u.state, u.attempts, u.next_attempt_ms, u.last_error, u.reason_class, "
        "       f.object_key, f.size, "
        "       (SELECT COUNT(*) FROM upload_parts p WHERE p.file_id=u.file_id AND p.target=u.target) "
        "FROM uploads u JOIN files f ON f.id=u.file_id ";
    auto pending = db_.prepare(std::string(columns) +
                               "WHERE u.state='pending' AND u.file_id IS NOT NULL "
                               "ORDER BY u.next_attempt_ms, u.file_id LIMIT ?");
    pending.bind(1, static_cast<std::int64_t>(limit));
    read_upload_rows(pending, out);
    auto done = db_.prepare(std::string(columns) +
                            // +u.state: walk uploads_file backwards, not every done row via uploads_due
                            "WHERE +u.state='done' AND u.file_id IS NOT NULL ORDER BY u.file_id DESC LIMIT ?");
    done.bind(1, static_cast<std::int64_t>(limit) - static_cast<std::int64_t>(out.size()));
    if (static_cast<int>(out.size()) < limit) read_upload_rows(done, out);
    return out;
}

void Store::read_upload_rows(Statement& st, std::vector<UploadRow>& out) {
    while (st.step()) {
        UploadRow r;
        r.file_id = st.int64(0);
        r.target = st.text(1);
        r.state = st.text(2);
        r.attempts = static_cast<int>(st.int64(3));
        r.next_attempt_ms = st.int64(4);
        r.last_error = st.opt_text(5);
        r.reason_class = st.opt_text(6);
        r.object_key = st.opt_text(7).value_or("");
        r.size = static_cast<std::uint64_t>(st.int64(8));
        r.parts_done = static_cast<int>(st.int64(9));
        out.push_back(std::move(r));
    }
}

}  // namespace dockd::custody
