// Schema migrations from every older version to the current one (STYLE 9):
// a station upgraded in the field keeps every custody row it had.
#include "daemon/custody/migrations.hpp"

#include <gtest/gtest.h>

#include "daemon/custody/store.hpp"
#include "tests/unit/support.hpp"

namespace dockd::custody {
namespace {

using test_support::TempDir;

std::int64_t count(Database& db, const std::string& sql) {
    auto st = db.prepare(sql);
    st.step();
    return st.int64(0);
}

// Rows every schema since version 1 can hold: a docking with an archived,
// a staged and a refused file, their uploads and an audit row.
void fill_version_1_rows(Database& db) {
    db.exec(R"sql(
INSERT INTO recorders(serial, vendor, model, firmware, first_seen_at) VALUES('ZFY1','Sim','S1','1.0','2026-01-01T00:00:00.000Z');
INSERT INTO dockings(id, bay, serial, docked_at, battery_in, clock_offset_ms)
  VALUES('D1', 1, 'ZFY1', '2026-01-01T00:00:00.000Z', 40, -93500);
INSERT INTO files(id, docking_id, serial, device_path, size, device_mtime_ms, state, sha256, staging_name, object_key)
  VALUES(1,'D1','ZFY1','DCIM/a.mp4',10,1000,'archived','aa','D1/0','media/a'),
        (2,'D1','ZFY1','DCIM/b.mp4',20,2000,'staged','bb','D1/1','media/b');
INSERT INTO files(id, docking_id, serial, device_path, size, device_mtime_ms, state, reason)
  VALUES(3,'D1','ZFY1','../x',1,1,'refused','''..'' path component');
INSERT INTO uploads(file_id, target, state) VALUES(1,'file:///a','done'),(2,'file:///a','pending');
INSERT INTO audit(seq, at, kind, payload, hash) VALUES(1,'2026-01-01T00:00:00.000Z','docked','{}','h');
)sql");
}

// Schema 6's tallies agree with a count of the rows themselves.
void expect_tallies_match(Database& db, const std::string& when) {
    SCOPED_TRACE(when);
    for (const char* state : {"staged", "archived", "refused", "lost", "failed"}) {
        const std::string name = std::string("files:") + state;
        EXPECT_EQ(count(db, "SELECT COALESCE((SELECT n FROM tallies WHERE name='" + name + "'),0)"),
                  count(db, std::string("SELECT COUNT(*) FROM files WHERE state='") + state + "'"))
            << name;
        EXPECT_EQ(count(db, "SELECT COALESCE((SELECT bytes FROM tallies WHERE name='" + name + "'),0)"),
                  count(db, std::string("SELECT COALESCE(SUM(size),0) FROM files WHERE state='") + state + "'"))
            << name;
    }
    for (const char* state : {"pending", "done"}) {
        const std::string name = std::string("uploads:") + state;
        EXPECT_EQ(
            count(db, "SELECT COALESCE((SELECT n FROM tallies WHERE name='" + name + "'),0)"),
            count(db, std::string("SELECT COUNT(*) FROM uploads WHERE file_id IS NOT NULL AND state='") + state + "'"))
            << name;
        EXPECT_EQ(count(db, "SELECT COALESCE((SELECT bytes FROM tallies WHERE name='" + name + "'),0)"),
                  count(db, std::string("SELECT COALESCE(SUM(f.size),0) FROM uploads u JOIN files f ON "
                                        "f.id=u.file_id WHERE u.state='") +
                                state + "'"))
            << name;
    }
}

// Migration 9: every docking's totals equal its files' aggregates, however
// the rows got there (backfill, inserts, state, range and media changes, deletes).
void expect_docking_totals_match(Database& db, const std::string& when) {
    SCOPED_TRACE(when);
    const std::string want =
        "SELECT docking_id, SUM(state IN ('staged','archived')), "
        "COALESCE(SUM(CASE WHEN state IN ('staged','archived') THEN size END), 0), SUM(state = 'refused'), "
        "MIN(CASE WHEN state IN ('staged','archived') THEN recorded_at END), "
        "MAX(CASE WHEN state IN ('staged','archived') THEN recorded_at END), "
        "COALESCE(SUM(CASE WHEN state IN ('staged','archived') THEN media_duration_ms END), 0), "
        "COUNT(CASE WHEN state IN ('staged','archived') THEN media_duration_ms END), "
        "COUNT(CASE WHEN media_integrity = 'truncated' THEN 1 END) FROM files GROUP BY docking_id";
    const std::string kept =
        "SELECT docking_id, files, bytes, refused, recorded_from, recorded_to, duration_ms, durations, truncated "
        "FROM docking_totals WHERE docking_id IN (SELECT docking_id FROM files)";
    EXPECT_EQ(count(db, "SELECT COUNT(*) FROM (" + want + " EXCEPT " + kept + ")"), 0);
    EXPECT_EQ(count(db, "SELECT COUNT(*) FROM (" + kept + " EXCEPT " + want + ")"), 0);
    EXPECT_EQ(count(db,
                    "SELECT COUNT(*) FROM docking_totals WHERE docking_id NOT IN (SELECT docking_id FROM files) "
                    "AND (files OR bytes OR refused OR durations OR truncated OR recorded_from IS NOT NULL)"),
              0);
    EXPECT_GT(count(db, "SELECT COUNT(*) FROM docking_totals"), 0);
    // Undescribed: the count is exact; the bounds are exact while flagged so,
    // and never narrower than the files' (they only widen once one left).
    const std::string u = "f.state IN ('staged','archived') AND f.described_at IS NULL";
    EXPECT_EQ(count(db,
                    "SELECT COUNT(*) FROM docking_totals t WHERE undescribed != (SELECT COUNT(*) FROM files f "
                    "WHERE f.docking_id = t.docking_id AND " +
                        u + ")"),
              0);
    EXPECT_EQ(count(db,
                    "SELECT COUNT(*) FROM docking_totals t WHERE undescribed_exact = 1 AND ("
                    "undescribed_from IS NOT (SELECT MIN(ingested_at) FROM files f WHERE f.docking_id = t.docking_id "
                    "AND " +
                        u +
                        ") OR undescribed_to IS NOT (SELECT MAX(ingested_at) FROM files f "
                        "WHERE f.docking_id = t.docking_id AND " +
                        u + "))"),
              0);
    EXPECT_EQ(count(db,
                    "SELECT COUNT(*) FROM docking_totals t WHERE EXISTS (SELECT 1 FROM files f WHERE "
                    "f.docking_id = t.docking_id AND " +
                        u +
                        " AND (f.ingested_at < t.undescribed_from OR "
                        "f.ingested_at > t.undescribed_to))"),
              0);
}

class MigrationsTest : public ::testing::TestWithParam<int> {};

TEST_P(MigrationsTest, EveryOlderSchemaReachesTheLatestKeepingItsRows) {
    const int from = GetParam();
    TempDir tmp("migrate");
    const auto file = tmp.path() / "custody.db";
    {
        auto db = Database::open(file);
        ASSERT_TRUE(db) << db.error().message;
        ASSERT_TRUE(migrate(*db, from));
        ASSERT_EQ(count(*db, "PRAGMA user_version"), from);
        fill_version_1_rows(*db);
    }
    auto db = Database::open(file);
    ASSERT_TRUE(db);
    auto r = migrate(*db);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(count(*db, "PRAGMA user_version"), latest_schema_version());
    EXPECT_EQ(count(*db, "SELECT COUNT(*) FROM files"), 3);
    EXPECT_EQ(count(*db, "SELECT COUNT(*) FROM files WHERE id=1 AND state='archived' AND sha256='aa'"), 1);
    EXPECT_EQ(count(*db, "SELECT COUNT(*) FROM files WHERE id=3 AND state='refused'"), 1);
    EXPECT_EQ(count(*db, "SELECT COUNT(*) FROM uploads u JOIN files f ON f.id=u.file_id"), 2);
    EXPECT_EQ(count(*db, "SELECT clock_offset_ms FROM dockings WHERE id='D1'"), -93500);
    EXPECT_EQ(count(*db, "SELECT COUNT(*) FROM audit"), 1);
    EXPECT_FALSE(db->prepare("PRAGMA foreign_key_check").step()) << "no dangling reference after the rebuild";
    EXPECT_EQ(count(*db, "PRAGMA foreign_keys"), 1) << "references enforced again";
    // Issue 9 (schema 4): a failed copy attempt is a row of its own, as many
    // times as dockings try, beside the one staged row of that file.
    db->exec(
        "INSERT INTO files(docking_id, serial, device_path, size, device_mtime_ms, state, reason) VALUES"
        "('D1','ZFY1','DCIM/a.mp4',10,1000,'failed','vanished'),('D1','ZFY1','DCIM/a.mp4',10,1000,'failed','EIO')");
    EXPECT_THROW(db->exec("INSERT INTO files(docking_id, serial, device_path, size, device_mtime_ms, state) "
                          "VALUES('D1','ZFY1','DCIM/a.mp4',10,1000,'staged')"),
                 std::exception)
        << "a file's identity is still staged only once";
    expect_tallies_match(*db, "after the upgrade and two failed rows");
    expect_docking_totals_match(*db, "after the upgrade and two failed rows");
    db->exec("UPDATE files SET state='archived' WHERE id=2");
    db->exec("UPDATE uploads SET state='done' WHERE file_id=2");
    db->exec("INSERT INTO uploads(file_id, target, state) VALUES(1,'file:///b','pending')");
    db->exec("UPDATE files SET state='lost' WHERE id=2");
    db->exec("DELETE FROM uploads WHERE file_id=1 AND target='file:///a'");
    db->exec("DELETE FROM files WHERE state='failed' AND reason='EIO'");
    expect_tallies_match(*db, "after state and row changes");
    expect_docking_totals_match(*db, "after state and row changes");
    db->exec("UPDATE files SET media_duration_ms=4000, media_integrity='truncated' WHERE id=1");
    db->exec(
        "INSERT INTO files(docking_id, serial, device_path, size, device_mtime_ms, state, recorded_at) VALUES"
        "('D1','ZFY1','DCIM/early.mp4',7,5,'staged','2000-01-01T00:00:00.000Z'),"
        "('D1','ZFY1','DCIM/late.mp4',9,6,'staged','2099-01-01T00:00:00.000Z')");
    expect_docking_totals_match(*db, "after media facts and two more files");
    db->exec("UPDATE files SET state='lost' WHERE device_path='DCIM/early.mp4'");
    db->exec("UPDATE files SET recorded_at='2050-01-01T00:00:00.000Z' WHERE device_path='DCIM/late.mp4'");
    db->exec("UPDATE files SET state='archived', media_duration_ms=NULL WHERE id=1");
    expect_docking_totals_match(*db, "after the range's ends left or moved");
    db->exec("DELETE FROM files WHERE device_path='DCIM/late.mp4'");
    expect_docking_totals_match(*db, "after a counted file was deleted");
    db->exec(
        "INSERT INTO files(docking_id, serial, device_path, size, device_mtime_ms, state, ingested_at) VALUES"
        "('D1','ZFY1','DCIM/u1.mp4',1,7,'staged','2026-01-01T08:00:00.000Z'),"
        "('D1','ZFY1','DCIM/u2.mp4',1,8,'staged','2026-01-02T08:00:00.000Z'),"
        "('D1','ZFY1','DCIM/u3.mp4',1,9,'staged','2026-01-03T08:00:00.000Z')");
    expect_docking_totals_match(*db, "after undescribed files joined");
    db->exec("UPDATE files SET described_at='2026-01-04T00:00:00.000Z' WHERE device_path='DCIM/u1.mp4'");
    db->exec("UPDATE files SET ingested_at='2026-01-05T00:00:00.000Z' WHERE device_path='DCIM/u2.mp4'");
    expect_docking_totals_match(*db, "after one was described and one moved");
    EXPECT_EQ(count(*db, "SELECT undescribed_exact FROM docking_totals WHERE docking_id='D1'"), 0);
    db->exec("UPDATE files SET described_at='2026-01-06T00:00:00.000Z' WHERE docking_id='D1'");
    expect_docking_totals_match(*db, "after the docking was described");
    EXPECT_EQ(count(*db, "SELECT undescribed_exact FROM docking_totals WHERE docking_id='D1'"), 1);
}

INSTANTIATE_TEST_SUITE_P(FromEveryVersion, MigrationsTest, ::testing::Range(1, latest_schema_version()));

TEST(Migrations, TheLatestStoreOpensThroughTheStore) {
    TempDir tmp("migrate");
    auto s = Store::open(tmp.path() / "custody.db");
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_TRUE((*s)->verify().ok);
}

}  // namespace
}  // namespace dockd::custody
