// Every object the documents name, present with its size and SHA-256
// (streamed read-back, or the cache when the listing shows the same version),
// and every object nothing names.
#include "daemon/verify/target_pass.hpp"

namespace dockd::verify {

// What this target must hold: the objects its manifests name first (INSERT
// OR IGNORE keeps the first: the signed custody claim), then files the chain
// shows staged for a docking it records as manifested, unless lost before
// upload; and where the two disagree.
void TargetPass::expect_objects() {
    auto& db = state_.db();
    db.prepare(
          "INSERT OR IGNORE INTO expected(target, key, station, docking, sha256, size) SELECT e.target, e.object, "
          "e.station, e.docking, e.sha256, e.size FROM entries e JOIN docs d ON d.target=e.target AND "
          "d.document=e.document WHERE e.target=?1 AND d.layout='manifest' AND d.problem=''")
        .bind(1, url_)
        .run();
    db.prepare(
          "INSERT OR IGNORE INTO expected(target, key, station, docking, sha256, size) SELECT f.target, f.object, "
          "f.station, f.docking, f.sha256, f.size FROM facts f WHERE f.target=?1 AND f.kind='file_staged' "
          "AND EXISTS (SELECT 1 FROM facts m WHERE m.target=?1 AND m.station=f.station AND "
          "m.kind='manifest_signed' AND m.docking=f.docking) AND NOT EXISTS (SELECT 1 FROM facts l WHERE "
          "l.target=?1 AND l.station=f.station AND l.kind='file_lost' AND l.file_id=f.file_id)")
        .bind(1, url_)
        .run();
    auto mismatch = db.prepare(
        "SELECT x.station, x.docking, x.key, f.sha256 FROM expected x JOIN facts f ON f.target=x.target AND "
        "f.station=x.station AND f.kind='file_staged' AND f.object=x.key WHERE x.target=? AND f.sha256<>x.sha256");
    mismatch.bind(1, url_);
    while (mismatch.step())
        if (owns(o_, mismatch.text(2)))
            add(mismatch.text(0), mismatch.text(1), mismatch.text(2), "manifest_chain_mismatch",
                "the manifest's sha256 differs from the " + mismatch.text(3) + " the audit chain recorded at staging");
}

// Listings may lag behind writes (Swift updates container listings
// asynchronously): an expected object the listing lacks is asked for by
// HEAD before it is called missing.
void TargetPass::confirm_unlisted() {
    auto& db = state_.db();
    auto st = db.prepare(
        "SELECT x.key FROM expected x WHERE x.target=?1 AND NOT EXISTS (SELECT 1 FROM listing l WHERE "
        "l.target=?1 AND l.key=x.key) ORDER BY x.key");
    st.bind(1, url_);
    while (st.step()) {
        if (!owns(o_, st.text(0))) continue;
        auto found = target_.stat(st.text(0));
        if (!found || !*found) continue;
        db.prepare("INSERT INTO listing(target, key, size, version, layout, sig) VALUES(?,?,?,?,'media',0)")
            .bind(1, url_)
            .bind(2, (*found)->key)
            .bind(3, (*found)->size_bytes)
            .bind(4, (*found)->version)
            .run();
        ++counts_.listed;
    }
}

// Each expected object: there, of its size, and of its sha256 (cached by
// version, or queued for reading).
void TargetPass::check_objects() {
    auto& db = state_.db();
    expect_objects();
    confirm_unlisted();
    db.exec("DROP TABLE IF EXISTS temp.reads; CREATE TEMP TABLE reads(n INTEGER PRIMARY KEY, key TEXT, size INTEGER)");
    auto st = db.prepare(
        "SELECT x.key, x.station, x.docking, x.sha256, x.size, l.size, c.sha256 FROM expected x "
        "LEFT JOIN listing l ON l.target=x.target AND l.key=x.key LEFT JOIN contents c ON c.target=x.target AND "
        "c.key=x.key AND c.version=l.version AND c.size=l.size WHERE x.target=? ORDER BY x.key");
    st.bind(1, url_);
    while (st.step()) {
        const std::string key = st.text(0), station = st.text(1), docking = st.text(2);
        if (!owns(o_, key)) continue;
        if (st.is_null(5)) {
            add(station, docking, key, "object_missing", "named by the manifest or audit chain, not on this target");
        } else if (!st.is_null(4) && st.int64(4) != st.int64(5)) {
            add(station, docking, key, "object_size",
                "is " + std::to_string(st.int64(5)) + " bytes; the manifest says " + std::to_string(st.int64(4)));
        } else if (auto cached = st.opt_text(6)) {
            ++counts_.cached, ++counts_.checked;
            if (*cached != st.text(3))
                add(station, docking, key, "object_sha256", "sha256 is " + *cached + ", not " + st.text(3));
        } else {
            db.prepare("INSERT INTO reads(key, size) VALUES(?,?)").bind(1, key).bind(2, st.int64(5)).run();
        }
    }
    read_objects();
}

void TargetPass::read_objects() {
    auto& db = state_.db();
    auto total = db.prepare("SELECT COUNT(*), COALESCE(SUM(size), 0) FROM reads");
    total.step();
    progress_.begin(url_, static_cast<std::uint64_t>(total.int64(0)), static_cast<std::uint64_t>(total.int64(1)));
    // The reads table is only read while workers run: one cursor hands out the jobs.
    bool finished = false;
    auto reads = db.prepare("SELECT key FROM reads ORDER BY n");
    auto x = db.prepare(
        "SELECT x.station, x.docking, x.sha256, l.size, l.version FROM expected x JOIN listing l ON "
        "l.target=x.target AND l.key=x.key WHERE x.target=? AND x.key=?");
    auto cache = db.prepare("INSERT OR REPLACE INTO contents(target, key, size, version, sha256) VALUES(?,?,?,?,?)");
    read_all(
        target_, o_.jobs,
        [&]() -> std::optional<ReadJob> {
            if (!next_row(reads, finished)) return std::nullopt;
            return ReadJob{reads.text(0), 0, false};
        },
        [&](const ReadJob& job, ReadOutcome& out) {
            ++counts_.read, ++counts_.checked;
            counts_.bytes_read += out.bytes;
            progress_.advance(out.bytes);
            x.reset();
            x.bind(1, url_).bind(2, job.key);
            if (!x.step()) return;
            if (!out.status) {
                add(x.text(0), x.text(1), job.key, "object_unreadable", out.status.error().message);
                return;
            }
            if (out.sha256 != x.text(2))
                add(x.text(0), x.text(1), job.key, "object_sha256", "sha256 is " + out.sha256 + ", not " + x.text(2));
            if (out.bytes != static_cast<std::uint64_t>(x.int64(3))) return;  // changed while read: not cached
            cache.reset();
            cache.bind(1, url_).bind(2, job.key).bind(3, x.int64(3)).bind(4, x.text(4)).bind(5, out.sha256).run();
        });
    progress_.end();
}

// Objects no document names: media nobody staged, names in the document
// folders that fit no document, and signatures whose document is neither
// here nor reported missing.
void TargetPass::check_unreferenced() {
    auto st = state_.db().prepare(
        "SELECT l.key, l.station, l.layout FROM listing l WHERE l.target=?1 AND ("
        " (l.layout='media' AND NOT EXISTS (SELECT 1 FROM expected x WHERE x.target=?1 AND x.key=l.key) "
        "  AND NOT EXISTS (SELECT 1 FROM facts f WHERE f.target=?1 AND f.kind='file_staged' AND f.object=l.key) "
        "  AND NOT EXISTS (SELECT 1 FROM entries e WHERE e.target=?1 AND e.object=l.key)) "
        " OR l.layout='unknown' "
        " OR (l.sig=1 AND NOT EXISTS (SELECT 1 FROM listing d WHERE d.target=?1 AND d.key=l.document) "
        "  AND NOT EXISTS (SELECT 1 FROM findings g WHERE g.target=?1 AND g.object=l.document))) ORDER BY l.key");
    st.bind(1, url_);
    while (st.step()) {
        if (!owns(o_, st.text(0))) continue;
        add(st.opt_text(1).value_or(""), "", st.text(0), "unreferenced_object",
            st.text(2) == "unknown" ? "a name in the archive layout no station writes"
                                    : "no manifest, amendment or audit row names it");
    }
}

}  // namespace dockd::verify
