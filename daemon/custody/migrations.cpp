#include "daemon/custody/migrations.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

namespace dockd::custody {
namespace {

// Append-only: a released step is never edited, a change is a new step.
constexpr std::array<const char*, 9> steps = {
    // 1: the first station schema.
    R"sql(
CREATE TABLE officers(
  no TEXT PRIMARY KEY, name TEXT NOT NULL DEFAULT '', unit_no TEXT NOT NULL DEFAULT '',
  unit_name TEXT NOT NULL DEFAULT '', updated_at TEXT NOT NULL);
CREATE TABLE recorders(
  serial TEXT PRIMARY KEY, vendor TEXT, model TEXT, firmware TEXT,
  first_seen_at TEXT NOT NULL, last_docked_at TEXT, last_undocked_at TEXT);
CREATE TABLE assignments(
  id INTEGER PRIMARY KEY, serial TEXT NOT NULL, officer_no TEXT NOT NULL,
  assigned_at TEXT NOT NULL, source TEXT NOT NULL CHECK(source IN ('device','manual')));
CREATE INDEX assignments_serial ON assignments(serial, id);
CREATE TABLE dockings(
  id TEXT PRIMARY KEY, bay INTEGER NOT NULL, serial TEXT NOT NULL, officer_no TEXT,
  docked_at TEXT NOT NULL, undocked_at TEXT, close_reason TEXT,
  battery_in INTEGER, battery_out INTEGER, storage_total INTEGER, storage_free INTEGER,
  device_time TEXT, station_time TEXT, clock_offset_ms INTEGER, clock_set_at TEXT,
  offload_done_at TEXT, fault TEXT);
CREATE INDEX dockings_docked_at ON dockings(docked_at);
CREATE TABLE files(
  id INTEGER PRIMARY KEY, docking_id TEXT NOT NULL REFERENCES dockings(id),
  serial TEXT NOT NULL, device_path TEXT NOT NULL, size INTEGER NOT NULL,
  device_mtime_ms INTEGER NOT NULL,
  state TEXT NOT NULL CHECK(state IN ('staged','archived','refused','lost')),
  reason TEXT, sha256 TEXT, staging_name TEXT UNIQUE, object_key TEXT,
  recorded_at_device TEXT, recorded_at TEXT, ingested_at TEXT,
  verified_at TEXT, wiped_at TEXT, archived_at TEXT, purged_at TEXT,
  retention TEXT NOT NULL DEFAULT 'standard' CHECK(retention IN ('standard','long_term')),
  important INTEGER NOT NULL DEFAULT 0);
-- One row per recorder file ever seen: a re-docking, a restart or a crash can
-- never count the same file twice (DESIGN §3: device path + size + mtime).
CREATE UNIQUE INDEX files_identity ON files(serial, device_path, size, device_mtime_ms);
CREATE INDEX files_docking ON files(docking_id);
CREATE INDEX files_state ON files(state);
CREATE TABLE uploads(
  file_id INTEGER NOT NULL REFERENCES files(id), target TEXT NOT NULL,
  state TEXT NOT NULL CHECK(state IN ('pending','done')),
  attempts INTEGER NOT NULL DEFAULT 0, next_attempt_ms INTEGER NOT NULL DEFAULT 0,
  last_error TEXT, upload_id TEXT, done_at TEXT,
  PRIMARY KEY(file_id, target));
CREATE INDEX uploads_due ON uploads(state, next_attempt_ms);
CREATE TABLE upload_parts(
  file_id INTEGER NOT NULL, target TEXT NOT NULL, part_number INTEGER NOT NULL,
  size INTEGER NOT NULL, etag TEXT NOT NULL, md5 TEXT NOT NULL,
  PRIMARY KEY(file_id, target, part_number));
-- A manifest is signed once and stored before any target sees it, so a
-- retry after a crash offers the same bytes again (write-once stays idempotent).
CREATE TABLE manifest_docs(
  docking_id TEXT PRIMARY KEY REFERENCES dockings(id), object_key TEXT NOT NULL,
  content TEXT NOT NULL, signature_hex TEXT NOT NULL, signed_at TEXT NOT NULL);
CREATE TABLE manifests(
  docking_id TEXT NOT NULL REFERENCES dockings(id), target TEXT NOT NULL,
  written_at TEXT NOT NULL, PRIMARY KEY(docking_id, target));
CREATE TABLE audit(
  seq INTEGER PRIMARY KEY, at TEXT NOT NULL, kind TEXT NOT NULL,
  payload TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE access_register(
  id INTEGER PRIMARY KEY, at TEXT NOT NULL, who TEXT NOT NULL, remote TEXT,
  what TEXT NOT NULL, approval_ref TEXT);
)sql",
    // 2: people-facing (issue 5): annotations (seed R9), retain reasons (R8),
    // the role of whoever looked something up (R6).
    R"sql(
CREATE TABLE annotations(
  id INTEGER PRIMARY KEY, file_id INTEGER REFERENCES files(id), docking_id TEXT REFERENCES dockings(id),
  case_no TEXT NOT NULL DEFAULT '', category TEXT NOT NULL DEFAULT '', note TEXT NOT NULL DEFAULT '',
  by_who TEXT NOT NULL, at TEXT NOT NULL,
  CHECK((file_id IS NULL) != (docking_id IS NULL)));
CREATE INDEX annotations_file ON annotations(file_id);
CREATE INDEX annotations_docking ON annotations(docking_id);
ALTER TABLE files ADD COLUMN retain_reason TEXT;
ALTER TABLE access_register ADD COLUMN role TEXT;
)sql",
    // 3: why an upload waits (issue 4): transient | credentials | no_bucket | conflict,
    // shown by dockctl queue; NULL while nothing has failed.
    R"sql(
ALTER TABLE uploads ADD COLUMN reason_class TEXT;
)sql",
    // 4: truthful facts (issue 9). What was measured, and how far to trust it:
    // NULL is "not known" everywhere (DESIGN §12). Files gain the state
    // 'failed' (listed but not copied: vanished, unreadable, I/O error), one
    // row per docking that tried, so the identity index leaves failed rows out.
    R"sql(
ALTER TABLE dockings ADD COLUMN firmware TEXT;
ALTER TABLE dockings ADD COLUMN device_officer_no TEXT;
ALTER TABLE dockings ADD COLUMN clock_measured INTEGER;
ALTER TABLE dockings ADD COLUMN clock_plausible INTEGER;
ALTER TABLE dockings ADD COLUMN host_synced INTEGER;
ALTER TABLE dockings ADD COLUMN clock_set TEXT;
ALTER TABLE dockings ADD COLUMN ready_rule TEXT;
CREATE TABLE files_v4(
  id INTEGER PRIMARY KEY, docking_id TEXT NOT NULL REFERENCES dockings(id),
  serial TEXT NOT NULL, device_path TEXT NOT NULL, size INTEGER NOT NULL,
  device_mtime_ms INTEGER NOT NULL,
  state TEXT NOT NULL CHECK(state IN ('staged','archived','refused','failed','lost')),
  reason TEXT, sha256 TEXT, staging_name TEXT UNIQUE, object_key TEXT,
  recorded_at_device TEXT, recorded_at TEXT, ingested_at TEXT,
  verified_at TEXT, wiped_at TEXT, archived_at TEXT, purged_at TEXT,
  retention TEXT NOT NULL DEFAULT 'standard' CHECK(retention IN ('standard','long_term')),
  important INTEGER NOT NULL DEFAULT 0, retain_reason TEXT);
INSERT INTO files_v4 SELECT id, docking_id, serial, device_path, size, device_mtime_ms, state, reason, sha256,
  staging_name, object_key, recorded_at_device, recorded_at, ingested_at, verified_at, wiped_at, archived_at,
  purged_at, retention, important, retain_reason FROM files;
DROP TABLE files;
ALTER TABLE files_v4 RENAME TO files;
CREATE UNIQUE INDEX files_identity ON files(serial, device_path, size, device_mtime_ms) WHERE state != 'failed';
CREATE INDEX files_docking ON files(docking_id);
CREATE INDEX files_state ON files(state);
)sql",
    // 5: the archive's own proof (issue 10, DESIGN §11). The upload queue
    // carries publications (audit segments, amendments, public keys) beside
    // media, so it is rebuilt with file_id nullable. A segment's rows are
    // fixed here, durably, before any target sees it: a crash can neither
    // skip nor repeat a seq. An amendment is owed exactly when a retain flag
    // or annotation lands after the docking's manifest was signed; the
    // triggers note it in the transaction of the event itself.
    R"sql(
CREATE TABLE station_keys(
  key_no INTEGER PRIMARY KEY, first_seq INTEGER NOT NULL, public_pem TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE publications(
  id INTEGER PRIMARY KEY, kind TEXT NOT NULL CHECK(kind IN ('segment','amendment','key')),
  object_key TEXT NOT NULL UNIQUE, first_seq INTEGER, last_seq INTEGER, docking_id TEXT,
  content TEXT, sha256 TEXT NOT NULL, size INTEGER NOT NULL, signature_hex TEXT, key_no INTEGER,
  created_at TEXT NOT NULL);
CREATE UNIQUE INDEX publications_segment ON publications(first_seq) WHERE kind='segment';
CREATE TABLE uploads_v5(
  file_id INTEGER REFERENCES files(id), publication_id INTEGER REFERENCES publications(id),
  target TEXT NOT NULL, state TEXT NOT NULL CHECK(state IN ('pending','done')),
  attempts INTEGER NOT NULL DEFAULT 0, next_attempt_ms INTEGER NOT NULL DEFAULT 0,
  last_error TEXT, upload_id TEXT, done_at TEXT, reason_class TEXT,
  CHECK((file_id IS NULL) != (publication_id IS NULL)));
INSERT INTO uploads_v5(file_id, target, state, attempts, next_attempt_ms, last_error, upload_id, done_at, reason_class)
  SELECT file_id, target, state, attempts, next_attempt_ms, last_error, upload_id, done_at, reason_class FROM uploads;
DROP TABLE uploads;
ALTER TABLE uploads_v5 RENAME TO uploads;
CREATE UNIQUE INDEX uploads_file ON uploads(file_id, target);
CREATE UNIQUE INDEX uploads_publication ON uploads(publication_id, target);
CREATE INDEX uploads_due ON uploads(state, next_attempt_ms);
CREATE TABLE pending_amendments(seq INTEGER PRIMARY KEY, docking_id TEXT NOT NULL);
CREATE TRIGGER amendment_for_retain AFTER INSERT ON audit
  WHEN NEW.kind = 'retain' AND json_extract(NEW.payload, '$.changed') > 0
BEGIN
  INSERT INTO pending_amendments(seq, docking_id)
    SELECT NEW.seq, m.docking_id FROM manifest_docs m WHERE m.docking_id = json_extract(NEW.payload, '$.docking');
END;
CREATE TRIGGER amendment_for_annotation AFTER INSERT ON audit WHEN NEW.kind = 'annotated'
BEGIN
  INSERT INTO pending_amendments(seq, docking_id)
    SELECT NEW.seq, m.docking_id FROM manifest_docs m
    WHERE m.docking_id = COALESCE(json_extract(NEW.payload, '$.docking'),
                                  (SELECT docking_id FROM files WHERE id = json_extract(NEW.payload, '$.file')));
END;
)sql",
    // 6: a station with a million files (issue 12). Counts by state are kept
    // as rows change, by triggers in the transaction of the change, so
    // /metrics, the summary and the event stream read a few rows instead of
    // scanning files and uploads; the queries that remain are indexed.
    R"sql(
CREATE TABLE tallies(name TEXT PRIMARY KEY, n INTEGER NOT NULL, bytes INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO tallies(name, n, bytes) SELECT 'files:' || state, COUNT(*), SUM(size) FROM files GROUP BY state;
INSERT INTO tallies(name, n, bytes)
  SELECT 'uploads:' || u.state, COUNT(*), SUM(f.size) FROM uploads u JOIN files f ON f.id = u.file_id GROUP BY u.state;
CREATE TRIGGER tally_file_added AFTER INSERT ON files BEGIN
  INSERT INTO tallies(name, n, bytes) VALUES('files:' || NEW.state, 1, NEW.size)
    ON CONFLICT(name) DO UPDATE SET n = n + 1, bytes = bytes + excluded.bytes;
END;
-- A row's size is what was listed and copied: it never changes after insert.
CREATE TRIGGER tally_file_changed AFTER UPDATE OF state ON files WHEN OLD.state != NEW.state
BEGIN
  UPDATE tallies SET n = n - 1, bytes = bytes - OLD.size WHERE name = 'files:' || OLD.state;
  INSERT INTO tallies(name, n, bytes) VALUES('files:' || NEW.state, 1, NEW.size)
    ON CONFLICT(name) DO UPDATE SET n = n + 1, bytes = bytes + excluded.bytes;
END;
CREATE TRIGGER tally_file_removed AFTER DELETE ON files BEGIN
  UPDATE tallies SET n = n - 1, bytes = bytes - OLD.size WHERE name = 'files:' || OLD.state;
END;
CREATE TRIGGER tally_upload_added AFTER INSERT ON uploads WHEN NEW.file_id IS NOT NULL BEGIN
  INSERT INTO tallies(name, n, bytes)
    VALUES('uploads:' || NEW.state, 1, (SELECT size FROM files WHERE id = NEW.file_id))
    ON CONFLICT(name) DO UPDATE SET n = n + 1, bytes = bytes + excluded.bytes;
END;
CREATE TRIGGER tally_upload_changed AFTER UPDATE OF state ON uploads
  WHEN NEW.file_id IS NOT NULL AND OLD.state != NEW.state
BEGIN
  UPDATE tallies SET n = n - 1, bytes = bytes - (SELECT size FROM files WHERE id = OLD.file_id)
    WHERE name = 'uploads:' || OLD.state;
  INSERT INTO tallies(name, n, bytes)
    VALUES('uploads:' || NEW.state, 1, (SELECT size FROM files WHERE id = NEW.file_id))
    ON CONFLICT(name) DO UPDATE SET n = n + 1, bytes = bytes + excluded.bytes;
END;
CREATE TRIGGER tally_upload_removed AFTER DELETE ON uploads WHEN OLD.file_id IS NOT NULL BEGIN
  UPDATE tallies SET n = n - 1, bytes = bytes - (SELECT size FROM files WHERE id = OLD.file_id)
    WHERE name = 'uploads:' || OLD.state;
END;
-- Overdue recorders look up each recorder's dockings; start-up reads only
-- what is still in staging.
CREATE INDEX dockings_serial ON dockings(serial, docked_at);
-- A docking's counts and bytes (lists, ledger) from the index alone.
DROP INDEX files_docking;
CREATE INDEX files_docking ON files(docking_id, state, size);
CREATE INDEX files_unpurged ON files(id) WHERE staging_name IS NOT NULL AND purged_at IS NULL;
-- Long-term footage owed to a target added later (queue_missing_copies).
CREATE INDEX files_long_term ON files(id) WHERE retention = 'long_term';
)sql",
    // 7 (issue 14): retention classes (seed R7) name a
    // bureau class beside standard/long_term; annotations gain a place (R9);
    // described_at is when a file first had a case number or category (its own
    // or its docking's), kept by a trigger so the deadline list and the review
    // statistics (R12) need no join over every annotation.
    R"sql(
ALTER TABLE files ADD COLUMN retain_class TEXT;
ALTER TABLE files ADD COLUMN described_at TEXT;
ALTER TABLE annotations ADD COLUMN place TEXT NOT NULL DEFAULT '';
UPDATE files SET described_at = (
  SELECT MIN(a.at) FROM annotations a
  WHERE (a.file_id = files.id OR a.docking_id = files.docking_id) AND (a.case_no <> '' OR a.category <> ''));
CREATE INDEX files_undescribed ON files(ingested_at) WHERE described_at IS NULL;
CREATE TRIGGER described_by_annotation AFTER INSERT ON annotations
  WHEN NEW.case_no <> '' OR NEW.category <> ''
BEGIN
  UPDATE files SET described_at = NEW.at
    WHERE described_at IS NULL AND (id = NEW.file_id OR docking_id = NEW.docking_id);
END;
)sql",
    // 8: media facts (issue 14, DESIGN §13): what the sandboxed probe read in
    // each staged copy, NULL until it ran (media_probed_at) and for every
    // fact it could not read. Assignments record who made them and whom they
    // replaced, so the ledger lists them as rows of their own (seed R1).
    R"sql(
ALTER TABLE files ADD COLUMN media_integrity TEXT
  CHECK(media_integrity IN ('ok','truncated','unreadable','not_media'));
ALTER TABLE files ADD COLUMN media_container TEXT;
ALTER TABLE files ADD COLUMN media_duration_ms INTEGER;
ALTER TABLE files ADD COLUMN media_video_codec TEXT;
ALTER TABLE files ADD COLUMN media_width INTEGER;
ALTER TABLE files ADD COLUMN media_height INTEGER;
ALTER TABLE files ADD COLUMN media_audio_codec TEXT;
ALTER TABLE files ADD COLUMN media_created_at TEXT;
ALTER TABLE files ADD COLUMN media_detail TEXT;
ALTER TABLE files ADD COLUMN media_probed_at TEXT;
CREATE INDEX files_unprobed ON files(id) WHERE media_probed_at IS NULL AND state IN ('staged','archived');
CREATE INDEX files_truncated ON files(docking_id) WHERE media_integrity = 'truncated';
ALTER TABLE assignments ADD COLUMN assigned_by TEXT;
ALTER TABLE assignments ADD COLUMN previous_officer_no TEXT;
)sql",
    // 9 (issues 11, 12): each docking's totals, kept by triggers in the
    // transaction of the change like the tallies of 6, so the ledger, the
    // docking list and the review read one row per docking instead of
    // walking its files. The counting rule (custody/file_state.hpp: staged
    // or archived) is spelled out here because a migration never changes.
    // The recorded range is merged as files join it and recomputed from the
    // docking's files only when a counted file leaves or moves (rare).
    // The undescribed files (counted, no case number or category) are
    // counted the same way with the bounds of their ingest times, exact while
    // no file left the set: the description deadline (seed R9) reads a
    // docking's count whole when its files share one local day before the
    // cutoff, and walks the files of the few others.
    // files_unprobed also leaves out what can never be probed (purged copies):
    // on a store upgraded through 8 every older file is unprobed, and the
    // probe worker walked them all at each wake.
    R"sql(
DROP INDEX files_unprobed;
CREATE INDEX files_unprobed ON files(id)
  WHERE media_probed_at IS NULL AND state IN ('staged','archived') AND purged_at IS NULL AND staging_name IS NOT NULL;
CREATE TABLE docking_totals(
  docking_id TEXT PRIMARY KEY,
  files INTEGER NOT NULL DEFAULT 0, bytes INTEGER NOT NULL DEFAULT 0, refused INTEGER NOT NULL DEFAULT 0,
  recorded_from TEXT, recorded_to TEXT,
  duration_ms INTEGER NOT NULL DEFAULT 0, durations INTEGER NOT NULL DEFAULT 0,
  truncated INTEGER NOT NULL DEFAULT 0,
  undescribed INTEGER NOT NULL DEFAULT 0, undescribed_from TEXT, undescribed_to TEXT,
  undescribed_exact INTEGER NOT NULL DEFAULT 1) WITHOUT ROWID;
INSERT INTO docking_totals
  SELECT docking_id, SUM(state IN ('staged','archived')),
    COALESCE(SUM(CASE WHEN state IN ('staged','archived') THEN size END), 0), SUM(state = 'refused'),
    MIN(CASE WHEN state IN ('staged','archived') THEN recorded_at END),
    MAX(CASE WHEN state IN ('staged','archived') THEN recorded_at END),
    COALESCE(SUM(CASE WHEN state IN ('staged','archived') THEN media_duration_ms END), 0),
    COUNT(CASE WHEN state IN ('staged','archived') THEN media_duration_ms END),
    COUNT(CASE WHEN media_integrity = 'truncated' THEN 1 END),
    COUNT(CASE WHEN state IN ('staged','archived') AND described_at IS NULL THEN 1 END),
    MIN(CASE WHEN state IN ('staged','archived') AND described_at IS NULL THEN ingested_at END),
    MAX(CASE WHEN state IN ('staged','archived') AND described_at IS NULL THEN ingested_at END), 1
  FROM files GROUP BY docking_id;
CREATE TRIGGER totals_file_added AFTER INSERT ON files BEGIN
  INSERT INTO docking_totals(docking_id, files, bytes, refused, recorded_from, recorded_to, duration_ms, durations,
                             truncated, undescribed, undescribed_from, undescribed_to)
  VALUES(NEW.docking_id, NEW.state IN ('staged','archived'),
         CASE WHEN NEW.state IN ('staged','archived') THEN NEW.size ELSE 0 END, NEW.state = 'refused',
         CASE WHEN NEW.state IN ('staged','archived') THEN NEW.recorded_at END,
         CASE WHEN NEW.state IN ('staged','archived') THEN NEW.recorded_at END,
         CASE WHEN NEW.state IN ('staged','archived') THEN COALESCE(NEW.media_duration_ms, 0) ELSE 0 END,
         NEW.state IN ('staged','archived') AND NEW.media_duration_ms IS NOT NULL,
         COALESCE(NEW.media_integrity = 'truncated', 0), (NEW.state IN ('staged','archived') AND NEW.described_at IS NULL),
         CASE WHEN (NEW.state IN ('staged','archived') AND NEW.described_at IS NULL) THEN NEW.ingested_at END,
         CASE WHEN (NEW.state IN ('staged','archived') AND NEW.described_at IS NULL) THEN NEW.ingested_at END)
  ON CONFLICT(docking_id) DO UPDATE SET
    files = files + excluded.files, bytes = bytes + excluded.bytes, refused = refused + excluded.refused,
    recorded_from = CASE WHEN recorded_from IS NULL OR excluded.recorded_from < recorded_from
                         THEN COALESCE(excluded.recorded_from, recorded_from) ELSE recorded_from END,
    recorded_to = CASE WHEN recorded_to IS NULL OR excluded.recorded_to > recorded_to
                       THEN COALESCE(excluded.recorded_to, recorded_to) ELSE recorded_to END,
    duration_ms = duration_ms + excluded.duration_ms, durations = durations + excluded.durations,
    truncated = truncated + excluded.truncated, undescribed = undescribed + excluded.undescribed,
    undescribed_from = CASE WHEN undescribed_from IS NULL OR excluded.undescribed_from < undescribed_from
                            THEN COALESCE(excluded.undescribed_from, undescribed_from) ELSE undescribed_from END,
    undescribed_to = CASE WHEN undescribed_to IS NULL OR excluded.undescribed_to > undescribed_to
                          THEN COALESCE(excluded.undescribed_to, undescribed_to) ELSE undescribed_to END;
END;
CREATE TRIGGER totals_file_changed
  AFTER UPDATE OF state, size, recorded_at, media_duration_ms, media_integrity, described_at, ingested_at ON files
BEGIN
  UPDATE docking_totals SET
    files = files - (OLD.state IN ('staged','archived')) + (NEW.state IN ('staged','archived')),
    bytes = bytes - CASE WHEN OLD.state IN ('staged','archived') THEN OLD.size ELSE 0 END
                  + CASE WHEN NEW.state IN ('staged','archived') THEN NEW.size ELSE 0 END,
    refused = refused - (OLD.state = 'refused') + (NEW.state = 'refused'),
    duration_ms = duration_ms
      - CASE WHEN OLD.state IN ('staged','archived') THEN COALESCE(OLD.media_duration_ms, 0) ELSE 0 END
      + CASE WHEN NEW.state IN ('staged','archived') THEN COALESCE(NEW.media_duration_ms, 0) ELSE 0 END,
    durations = durations - (OLD.state IN ('staged','archived') AND OLD.media_duration_ms IS NOT NULL)
                          + (NEW.state IN ('staged','archived') AND NEW.media_duration_ms IS NOT NULL),
    truncated = truncated - COALESCE(OLD.media_integrity = 'truncated', 0)
                          + COALESCE(NEW.media_integrity = 'truncated', 0),
    undescribed = undescribed - (OLD.state IN ('staged','archived') AND OLD.described_at IS NULL) + (NEW.state IN ('staged','archived') AND NEW.described_at IS NULL)
  WHERE docking_id = NEW.docking_id;
  UPDATE docking_totals SET
    undescribed_exact = undescribed = 0,
    undescribed_from = CASE WHEN undescribed = 0 THEN NULL ELSE undescribed_from END,
    undescribed_to = CASE WHEN undescribed = 0 THEN NULL ELSE undescribed_to END
  WHERE docking_id = NEW.docking_id AND (OLD.state IN ('staged','archived') AND OLD.described_at IS NULL)
    AND (NOT (NEW.state IN ('staged','archived') AND NEW.described_at IS NULL) OR OLD.ingested_at IS NOT NEW.ingested_at);
  UPDATE docking_totals SET
    undescribed_from = CASE WHEN undescribed_from IS NULL OR NEW.ingested_at < undescribed_from
                            THEN NEW.ingested_at ELSE undescribed_from END,
    undescribed_to = CASE WHEN undescribed_to IS NULL OR NEW.ingested_at > undescribed_to
                          THEN NEW.ingested_at ELSE undescribed_to END
  WHERE docking_id = NEW.docking_id AND (NEW.state IN ('staged','archived') AND NEW.described_at IS NULL) AND NEW.ingested_at IS NOT NULL;
  UPDATE docking_totals SET
    recorded_from = (SELECT MIN(recorded_at) FROM files
                     WHERE docking_id = NEW.docking_id AND state IN ('staged','archived')),
    recorded_to = (SELECT MAX(recorded_at) FROM files
                   WHERE docking_id = NEW.docking_id AND state IN ('staged','archived'))
  WHERE docking_id = NEW.docking_id AND OLD.state IN ('staged','archived')
    AND (NEW.state NOT IN ('staged','archived') OR OLD.recorded_at IS NOT NEW.recorded_at);
  UPDATE docking_totals SET
    recorded_from = CASE WHEN recorded_from IS NULL OR NEW.recorded_at < recorded_from
                         THEN NEW.recorded_at ELSE recorded_from END,
    recorded_to = CASE WHEN recorded_to IS NULL OR NEW.recorded_at > recorded_to
                       THEN NEW.recorded_at ELSE recorded_to END
  WHERE docking_id = NEW.docking_id AND NEW.state IN ('staged','archived') AND NEW.recorded_at IS NOT NULL;
END;
CREATE TRIGGER totals_file_removed AFTER DELETE ON files BEGIN
  UPDATE docking_totals SET
    files = files - (OLD.state IN ('staged','archived')),
    bytes = bytes - CASE WHEN OLD.state IN ('staged','archived') THEN OLD.size ELSE 0 END,
    refused = refused - (OLD.state = 'refused'),
    duration_ms = duration_ms
      - CASE WHEN OLD.state IN ('staged','archived') THEN COALESCE(OLD.media_duration_ms, 0) ELSE 0 END,
    durations = durations - (OLD.state IN ('staged','archived') AND OLD.media_duration_ms IS NOT NULL),
    truncated = truncated - COALESCE(OLD.media_integrity = 'truncated', 0),
    undescribed = undescribed - (OLD.state IN ('staged','archived') AND OLD.described_at IS NULL)
  WHERE docking_id = OLD.docking_id;
  UPDATE docking_totals SET
    undescribed_exact = undescribed = 0,
    undescribed_from = CASE WHEN undescribed = 0 THEN NULL ELSE undescribed_from END,
    undescribed_to = CASE WHEN undescribed = 0 THEN NULL ELSE undescribed_to END
  WHERE docking_id = OLD.docking_id AND (OLD.state IN ('staged','archived') AND OLD.described_at IS NULL);
  UPDATE docking_totals SET
    recorded_from = (SELECT MIN(recorded_at) FROM files
                     WHERE docking_id = OLD.docking_id AND state IN ('staged','archived')),
    recorded_to = (SELECT MAX(recorded_at) FROM files
                   WHERE docking_id = OLD.docking_id AND state IN ('staged','archived'))
  WHERE docking_id = OLD.docking_id AND OLD.state IN ('staged','archived');
END;
)sql",
};

}  // namespace

int latest_schema_version() {
    return static_cast<int>(steps.size());
}

Result<void> migrate(Database& db, int up_to) {
    try {
        // Finalised before any step runs: an open statement would lock the
        // tables a step rebuilds (DROP TABLE: "database table is locked").
        const int current = [&] {
            auto st = db.prepare("PRAGMA user_version");
            st.step();
            return static_cast<int>(st.int64(0));
        }();
        if (current > latest_schema_version())
            return Error{"custody store has schema " + std::to_string(current) + ", newer than this dockd (" +
                         std::to_string(latest_schema_version()) + "); refusing to touch it"};
        // A step may rebuild a table others reference (SQLite's ALTER TABLE
        // procedure): foreign keys are off while steps run, checked after each.
        db.exec("PRAGMA foreign_keys=OFF");
        for (int v = current + 1; v <= std::min(up_to, latest_schema_version()); ++v) {
            Transaction tx(db);
            db.exec(steps[static_cast<std::size_t>(v - 1)]);
            if (db.prepare("PRAGMA foreign_key_check").step())
                throw std::runtime_error("step " + std::to_string(v) + " leaves a broken reference");
            db.exec("PRAGMA user_version = " + std::to_string(v));
            tx.commit();
        }
        db.exec("PRAGMA foreign_keys=ON");
    } catch (const std::exception& e) {
        return Error{std::string("schema migration: ") + e.what()};
    }
    return {};
}

}  // namespace dockd::custody
