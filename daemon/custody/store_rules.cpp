// Queries behind the regulation rules of issue 14: the description deadline
// (seed R9), long-term copies (R8) and the annual review (R12).
#include "daemon/custody/store.hpp"

namespace dockd::custody {
namespace {

// The group column of each review grouping; the unit is the custodian's.
std::optional<std::string> group_column(const std::string& by) {
    if (by == "officer") return "COALESCE(d.officer_no,'')";
    if (by == "recorder") return "d.serial";
    if (by == "unit") return "COALESCE(o.unit_no,'')";
    return std::nullopt;
}

// Late docking (DESIGN §3 overdue): docked more than 24 h after the same
// recorder's previous undock.
constexpr const char* late_docking =
    "COALESCE(julianday(d.docked_at) - julianday((SELECT MAX(p.undocked_at) FROM dockings p "
    "WHERE p.serial=d.serial AND p.docked_at < d.docked_at)) > 1.0, 0)";

}  // namespace

std::vector<UndescribedFile> Store::undescribed(const std::string& ingested_before_rfc3339, int limit) {
    std::lock_guard lock(mutex_);
    std::vector<UndescribedFile> out;
    auto st = db_.prepare(
        "SELECT f.id, f.docking_id, f.serial, f.device_path, f.ingested_at, COALESCE(d.officer_no,''), "
        "COALESCE(o.name,''), COALESCE(o.unit_name,'') FROM files f INDEXED BY files_undescribed "
        "JOIN dockings d ON d.id=f.docking_id "
        "LEFT JOIN officers o ON o.no=d.officer_no WHERE f.described_at IS NULL AND f.ingested_at < ?1 "
        "AND " DOCKD_SQL_COUNTED("f") " ORDER BY f.ingested_at LIMIT ?2");
    st.bind(1, ingested_before_rfc3339).bind(2, static_cast<std::int64_t>(limit));
    while (st.step())
        out.push_back(
            {st.int64(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5), st.text(6), st.text(7)});
    return out;
}

// Per officer and local day of ingest. A docking whose undescribed files all
// lie before the cutoff on one local day, by the exact bounds that migration
// 9's triggers keep, counts whole from docking_totals; the files of the few
// others (spanning midnight or the cutoff, or partly described since) are
// walked (t is materialized first: left to itself the planner drove the
// join from files_state, every counted file). A million undescribed files
// cost one row per docking.
std::vector<UndescribedCount> Store::undescribed_counts(const std::string& ingested_before_rfc3339) {
    std::lock_guard lock(mutex_);
    std::vector<UndescribedCount> out;
    auto st = db_.prepare(
        "WITH t AS MATERIALIZED (SELECT docking_id, undescribed, undescribed_from, "
        "COALESCE(undescribed_exact = 1 AND undescribed_to < ?1 AND "
        "date(undescribed_from, 'localtime') = date(undescribed_to, 'localtime'), 0) AS whole "
        "FROM docking_totals WHERE undescribed > 0 AND (undescribed_from IS NULL OR undescribed_from < ?1)), "
        "parts AS (SELECT docking_id, date(undescribed_from, 'localtime') AS day, undescribed AS n, "
        "undescribed_from AS oldest FROM t WHERE whole "
        "UNION ALL SELECT f.docking_id, date(f.ingested_at, 'localtime'), COUNT(*), MIN(f.ingested_at) "
        "FROM t JOIN files f INDEXED BY files_docking ON f.docking_id = t.docking_id "
        "WHERE NOT t.whole AND f.described_at IS NULL "
        "AND f.ingested_at < ?1 AND " DOCKD_SQL_COUNTED("f") " GROUP BY f.docking_id, 2) "
        "SELECT COALESCE(d.officer_no,''), COALESCE(o.name,''), COALESCE(o.unit_name,''), p.day, SUM(p.n), "
        "MIN(p.oldest) FROM parts p JOIN dockings d ON d.id = p.docking_id "
        "LEFT JOIN officers o ON o.no = d.officer_no GROUP BY 1, 4 ORDER BY 1, 4");
    st.bind(1, ingested_before_rfc3339);
    while (st.step()) out.push_back({st.text(0), st.text(1), st.text(2), st.text(3), st.int64(4), st.text(5)});
    return out;
}

std::int64_t Store::long_term_short_of_copies(const std::string& ingested_before_rfc3339, int copies) {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(
        "SELECT COUNT(*) FROM files f INDEXED BY files_long_term WHERE f.retention='long_term' AND " DOCKD_SQL_COUNTED("f") " "
        "AND f.ingested_at < ?1 AND (SELECT COUNT(*) FROM uploads u WHERE u.file_id=f.id AND u.state='done') < ?2");
    st.bind(1, ingested_before_rfc3339).bind(2, static_cast<std::int64_t>(copies));
    st.step();
    return st.int64(0);
}

std::optional<std::string> Store::first_docked_at() {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare("SELECT MIN(docked_at) FROM dockings");
    st.step();
    return st.opt_text(0);
}

std::vector<StatsRow> Store::stats(const std::string& by, const std::optional<std::string>& from_rfc3339,
                                   const std::optional<std::string>& to_rfc3339, const DescribeDue& due,
                                   const std::string& now_rfc3339) {
    const auto group = group_column(by);
    if (!group) return {};
    std::lock_guard lock(mutex_);
    // The deadline of each day of ingest, as the caller computed it from the
    // working-day calendar: a temp table the one query joins.
    db_.exec("CREATE TEMP TABLE IF NOT EXISTS describe_due(day TEXT PRIMARY KEY, due TEXT NOT NULL)");
    Transaction tx(db_);
    db_.exec("DELETE FROM temp.describe_due");
    auto put = db_.prepare("INSERT INTO temp.describe_due(day, due) VALUES(?,?)");
    for (const auto& [day, at] : due.by_day) {
        put.reset();
        put.bind(1, day).bind(2, at).run();
    }
    const std::string due_of =
        due.after_s ? "strftime('%Y-%m-%dT%H:%M:%fZ', f.ingested_at, '+" + std::to_string(*due.after_s) + " seconds')"
                    : "(SELECT dd.due FROM temp.describe_due dd WHERE dd.day = date(f.ingested_at, 'localtime'))";
    // The dockings in range with their group, then one pass over their files
    // (count, bytes, late descriptions), then per group.
    auto st =
        db_.prepare("WITH per AS (SELECT d.id AS id, " + *group + " AS grp, " + late_docking + " AS late " +
                    "FROM dockings d LEFT JOIN officers o ON o.no=d.officer_no "
                    "WHERE (?1 IS NULL OR d.docked_at >= ?1) AND (?2 IS NULL OR d.docked_at < ?2)), "
                    "fa AS (SELECT f.docking_id AS id, COUNT(*) AS files, SUM(f.size) AS bytes, "
                    "SUM(f.media_duration_ms) AS dur_ms, SUM(f.media_integrity = 'truncated') AS trunc, "
                    "COUNT(f.media_probed_at) AS probed, "
                    "SUM(COALESCE(f.described_at, ?3) > COALESCE(" +
                    due_of +
                    ", ?3)) AS described_late FROM per JOIN files f ON f.docking_id=per.id "
                    "WHERE " DOCKD_SQL_COUNTED("f") " GROUP BY f.docking_id) "
                    "SELECT per.grp, COUNT(*), COALESCE(SUM(fa.files),0), COALESCE(SUM(fa.bytes),0), SUM(per.late), "
                    "COALESCE(SUM(fa.described_late),0), SUM(fa.dur_ms), SUM(fa.trunc), COALESCE(SUM(fa.probed),0) "
                    "FROM per LEFT JOIN fa ON fa.id=per.id "
                    "GROUP BY per.grp ORDER BY per.grp");
    st.bind(1, from_rfc3339).bind(2, to_rfc3339).bind(3, now_rfc3339);
    std::vector<StatsRow> out;
    while (st.step()) {
        StatsRow r;
        r.group = st.text(0);
        r.dockings = st.int64(1);
        r.files = st.int64(2);
        r.bytes = st.int64(3);
        r.late_dockings = st.int64(4);
        r.described_late = st.int64(5);
        // DESIGN §13: the sum of the durations the probe read; null when it read none.
        if (auto ms = st.opt_int64(6)) r.duration_s = static_cast<double>(*ms) / 1000.0;
        if (st.int64(8) > 0) r.truncated_files = st.opt_int64(7).value_or(0);
        out.push_back(std::move(r));
    }
    tx.commit();
    return out;
}

}  // namespace dockd::custody
