// The archive's own proof (DESIGN §11, issue 10): audit segments, amendments
// and public keys, queued in the same uploads table as media so they share
// its write-once, retried, resumable path to every target.
#include <boost/json/serialize.hpp>

#include "daemon/common/hex.hpp"
#include "daemon/common/time.hpp"
#include "daemon/crypto/sha256.hpp"
#include "daemon/custody/audit_segments.hpp"
#include "daemon/custody/store.hpp"

namespace dockd::custody {
namespace {

std::string now_text() {
    return rfc3339(std::chrono::system_clock::now());
}

struct NewPublication {
    std::string kind, object_key;
    std::optional<std::int64_t> first_seq, last_seq;
    std::optional<std::string> docking_id, content, signature;
    std::string sha256;
    std::uint64_t size = 0;
};

void insert_publication(Database& db, const NewPublication& p, const std::vector<std::string>& targets) {
    db.prepare(
          "INSERT INTO publications(kind, object_key, first_seq, last_seq, docking_id, content, sha256, size, "
          "signature_hex, key_no, created_at) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,"
          "(SELECT MAX(key_no) FROM station_keys WHERE first_seq <= COALESCE(?4, 1)),?10)")
        .bind(1, p.kind)
        .bind(2, p.object_key)
        .bind(3, p.first_seq)
        .bind(4, p.last_seq)
        .bind(5, p.docking_id)
        .bind(6, p.content)
        .bind(7, p.sha256)
        .bind(8, p.size)
        .bind(9, p.signature ? std::optional<std::string>(to_hex(*p.signature)) : std::nullopt)
        .bind(10, now_text())
        .run();
    const std::int64_t id = db.last_insert_id();
    for (const auto& t : targets)
        db.prepare("INSERT INTO uploads(publication_id, target, state) VALUES(?,?,'pending')")
            .bind(1, id)
            .bind(2, t)
            .run();
}

NewPublication key_publication(const std::string& station_id, const crypto::KeyInfo& key) {
    return {"key",
            key_object(station_id, key.key_no),
            std::nullopt,
            std::nullopt,
            std::nullopt,
            key.public_pem,
            std::nullopt,
            crypto::sha256_hex(key.public_pem),
            key.public_pem.size()};
}

}  // namespace

std::vector<crypto::KeyInfo> Store::station_keys() {
    std::lock_guard lock(mutex_);
    std::vector<crypto::KeyInfo> out;
    auto st = db_.prepare("SELECT key_no, first_seq, public_pem FROM station_keys ORDER BY key_no");
    while (st.step()) out.push_back({static_cast<int>(st.int64(0)), st.int64(1), st.text(2)});
    return out;
}

void Store::register_first_key(const crypto::KeyInfo& key) {
    std::lock_guard lock(mutex_);
    db_.prepare("INSERT OR IGNORE INTO station_keys(key_no, first_seq, public_pem, created_at) VALUES(1,1,?,?)")
        .bind(1, key.public_pem)
        .bind(2, now_text())
        .run();
}

AuditHead Store::rotate_key(const std::string& station_id, crypto::KeyInfo next, const Signer& sign,
                            const SegmentLimits& limits, const std::vector<std::string>& targets,
                            const std::function<void(const crypto::KeyInfo&)>& activate) {
    std::lock_guard lock(mutex_);
    Transaction tx(db_);
    const AuditHead head = append_locked("key_rotated", {{"key_no", next.key_no}, {"public_key", next.public_pem}});
    next.first_seq = head.seq + 1;
    db_.prepare("INSERT INTO station_keys(key_no, first_seq, public_pem, created_at) VALUES(?,?,?,?)")
        .bind(1, next.key_no)
        .bind(2, next.first_seq)
        .bind(3, next.public_pem)
        .bind(4, now_text())
        .run();
    // The rotation row ends its segment, signed by the old key (valid at head.seq).
    cut_segments_locked(station_id, head.seq, limits, sign, targets);  // also queues the new key
    tx.commit();
    // Still under the store lock: nobody reads a seq past the rotation
    // before the ring signs with the new key.
    activate(next);
    return head;
}

int Store::cut_segments(const std::string& station_id, const SegmentLimits& limits, const Signer& sign,
                        const std::vector<std::string>& targets) {
    std::lock_guard lock(mutex_);
    Transaction tx(db_);
    const int cut = cut_segments_locked(station_id, audit_head(db_).seq, limits, sign, targets);
    tx.commit();
    return cut;
}

// Key 1 goes out with the first segment, a rotated key with the segment its
// rotation ends: a station that has published nothing makes no request of
// its own (a refused target is then found by the footage it holds back).
void Store::queue_unpublished_keys(const std::string& station_id, const std::vector<std::string>& targets) {
    auto keys = db_.prepare("SELECT key_no, first_seq, public_pem FROM station_keys ORDER BY key_no");
    while (keys.step()) {
        const crypto::KeyInfo key{static_cast<int>(keys.int64(0)), keys.int64(1), keys.text(2)};
        auto have = db_.prepare("SELECT 1 FROM publications WHERE object_key=?");
        have.bind(1, key_object(station_id, key.key_no));
        if (!have.step()) insert_publication(db_, key_publication(station_id, key), targets);
    }
}

// Rows after the last segment up to last_seq, streamed into segments of at
// most limits.max_rows / max_bytes; a key_rotated row always ends one.
int Store::cut_segments_locked(const std::string& station_id, std::int64_t last_seq, const SegmentLimits& limits,
                               const Signer& sign, const std::vector<std::string>& targets) {
    queue_unpublished_keys(station_id, targets);
    auto next = db_.prepare("SELECT COALESCE(MAX(last_seq), 0) + 1 FROM publications WHERE kind='segment'");
    next.step();
    std::int64_t first = next.int64(0), expected = first, rows = 0;
    std::string content;
    int cut = 0;
    auto emit = [&] {
        const std::int64_t last = expected - 1;
        auto sig = sign(last, content);
        if (!sig)
            throw std::runtime_error("segment " + std::to_string(first) + "-" + std::to_string(last) + ": " +
                                     sig.error().message);
        insert_publication(db_,
                           {"segment", segment_key(station_id, first, last), first, last, std::nullopt, std::nullopt,
                            *sig, crypto::sha256_hex(content), content.size()},
                           targets);
        ++cut, first = expected, rows = 0, content.clear();
    };
    auto st = db_.prepare("SELECT seq, at, kind, payload, hash FROM audit WHERE seq >= ? AND seq <= ? ORDER BY seq");
    st.bind(1, first).bind(2, last_seq);
    while (st.step()) {
        if (st.int64(0) != expected)
            throw std::runtime_error("audit row " + std::to_string(expected) + " is missing; not publishing past it");
        std::string line = segment_line(st.int64(0), st.text(1), st.text(2), st.text(3), st.text(4));
        if (rows > 0 && (rows >= limits.max_rows || content.size() + line.size() > limits.max_bytes)) emit();
        content += line;
        ++rows, ++expected;
        if (st.text(2) == "key_rotated") emit();
    }
    if (rows > 0) emit();
    return cut;
}

std::optional<AuditRow> Store::first_unpublished_row() {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(
        "SELECT seq, at, kind, payload, hash FROM audit WHERE seq > "
        "(SELECT COALESCE(MAX(last_seq), 0) FROM publications WHERE kind='segment') ORDER BY seq LIMIT 1");
    if (!st.step()) return std::nullopt;
    return AuditRow{st.int64(0), st.text(1), st.text(2), st.text(3), st.text(4)};
}

std::optional<AuditRow> Store::audit_row(std::int64_t seq) {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare("SELECT seq, at, kind, payload, hash FROM audit WHERE seq=?");
    st.bind(1, seq);
    if (!st.step()) return std::nullopt;
    return AuditRow{st.int64(0), st.text(1), st.text(2), st.text(3), st.text(4)};
}

std::vector<SegmentRecord> Store::segments() {
    std::lock_guard lock(mutex_);
    std::vector<SegmentRecord> out;
    auto st = db_.prepare(
        "SELECT id, first_seq, last_seq, object_key, sha256 FROM publications WHERE kind='segment' ORDER BY first_seq");
    while (st.step()) out.push_back({st.int64(0), st.int64(1), st.int64(2), st.text(3), st.text(4)});
    return out;
}

std::vector<PendingAmendment> Store::pending_amendments() {
    std::lock_guard lock(mutex_);
    std::vector<PendingAmendment> out;
    auto st = db_.prepare("SELECT seq, docking_id FROM pending_amendments ORDER BY seq");
    while (st.step()) out.push_back({st.int64(0), st.text(1)});
    return out;
}

void Store::save_amendment(const std::string& station_id, const PendingAmendment& a, const std::string& content,
                           const std::string& signature, const std::vector<std::string>& targets) {
    std::lock_guard lock(mutex_);
    Transaction tx(db_);
    insert_publication(db_,
                       {"amendment", amendment_key(station_id, a.docking_id, a.seq), a.seq, a.seq, a.docking_id,
                        content, signature, crypto::sha256_hex(content), content.size()},
                       targets);
    db_.prepare("DELETE FROM pending_amendments WHERE seq=?").bind(1, a.seq).run();
    tx.commit();
}

Result<PublicationBody> Store::publication_body(std::int64_t id) {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(
        "SELECT kind, object_key, first_seq, last_seq, content, sha256, signature_hex FROM publications WHERE id=?");
    st.bind(1, id);
    if (!st.step()) return Error{"publication " + std::to_string(id) + " not found"};
    PublicationBody body{st.text(0), st.text(1), st.opt_text(4).value_or(""), std::nullopt};
    if (auto hex = st.opt_text(6)) body.signature = from_hex(*hex);
    if (st.text(0) == "segment") {
        // Rendered again from the rows (never stored twice); the stored hash
        // proves the bytes are the ones signed at the cut.
        auto rows =
            db_.prepare("SELECT seq, at, kind, payload, hash FROM audit WHERE seq >= ? AND seq <= ? ORDER BY seq");
        rows.bind(1, st.int64(2)).bind(2, st.int64(3));
        while (rows.step())
            body.content += segment_line(rows.int64(0), rows.text(1), rows.text(2), rows.text(3), rows.text(4));
    }
    if (crypto::sha256_hex(body.content) != st.text(5))
        return Error{body.object_key + ": content no longer matches the sha256 recorded when it was signed"};
    return body;
}

void Store::mark_published(std::int64_t publication_id, const std::string& target) {
    std::lock_guard lock(mutex_);
    // No audit event: publishing the chain must not grow it, or it never rests.
    db_.prepare("UPDATE uploads SET state='done', done_at=?, last_error=NULL WHERE publication_id=? AND target=?")
        .bind(1, now_text())
        .bind(2, publication_id)
        .bind(3, target)
        .run();
}

int Store::queue_missing_copies(const std::vector<std::string>& targets) {
    std::lock_guard lock(mutex_);
    Transaction tx(db_);
    int added = 0;
    for (const auto& t : targets) {
        db_.prepare(
               "INSERT INTO uploads(publication_id, target, state) SELECT p.id, ?1, 'pending' FROM publications p "
               "WHERE NOT EXISTS (SELECT 1 FROM uploads u WHERE u.publication_id=p.id AND u.target=?1)")
            .bind(1, t)
            .run();
        added += db_.changes();
        // Long-term footage (seed R8) belongs on every target, also one added
        // after the file was archived elsewhere.
        db_.prepare(
               "INSERT INTO uploads(file_id, target, state) SELECT f.id, ?1, 'pending' "
               "FROM files f INDEXED BY files_long_term "  // not files_state: a million archived rows
               "WHERE f.retention='long_term' AND " DOCKD_SQL_COUNTED("f") " "
               "AND NOT EXISTS (SELECT 1 FROM uploads u WHERE u.file_id=f.id AND u.target=?1)")
            .bind(1, t)
            .run();
        added += db_.changes();
    }
    // Seed R8: a long-term file counts as archived only once every target
    // holds it, so one owed to a new target is archived no longer. archived_at
    // stays: the upload deadline was met; the copies alert watches the rest.
    db_.exec(
        "UPDATE files SET state='staged' WHERE state='archived' AND retention='long_term' "
        "AND EXISTS (SELECT 1 FROM uploads u WHERE u.file_id=files.id AND u.state='pending')");
    tx.commit();
    return added;
}

std::vector<std::string> Store::targets_holding(std::int64_t file_id) {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    auto st = db_.prepare("SELECT target FROM uploads WHERE file_id=? AND state='done' ORDER BY target");
    st.bind(1, file_id);
    while (st.step()) out.push_back(st.text(0));
    return out;
}

}  // namespace dockd::custody
