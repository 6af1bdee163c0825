// Queries behind the people-facing API (issue 5): access register (seed R6),
// retention flags (R8), annotations (R9), lists for the page, dockctl and /metrics.
#include "daemon/common/time.hpp"
#include "daemon/custody/file_columns.hpp"
#include "daemon/custody/store.hpp"

namespace dockd::custody {
namespace {

std::string now_text() {
    return rfc3339(std::chrono::system_clock::now());
}

Annotation read_annotation(Statement& st) {
    Annotation a;
    a.id = st.int64(0);
    a.file_id = st.opt_int64(1);
    a.docking_id = st.opt_text(2);
    a.case_no = st.text(3);
    a.category = st.text(4);
    a.note = st.text(5);
    a.by = st.text(6);
    a.at = st.text(7);
    a.place = st.text(8);
    return a;
}

// A retain sets long_term and, when given (?3), a bureau class; it changes a
// file that is not long_term yet or whose class it changes (seed R7).
constexpr const char* class_change = "retain_class=COALESCE(?3, retain_class)";
constexpr const char* class_differs = "(retention<>'long_term' OR (?3 IS NOT NULL AND retain_class IS NOT ?3))";

constexpr const char* annotation_columns = "id, file_id, docking_id, case_no, category, note, by_who, at, place";

}  // namespace

void Store::register_access(const AccessEntry& e) {
    std::lock_guard lock(mutex_);
    const std::string at = now_text();
    Transaction tx(db_);
    db_.prepare("INSERT INTO access_register(at, who, remote, what, approval_ref, role) VALUES(?,?,?,?,?,?)")
        .bind(1, at)
        .bind(2, e.who)
        .bind(3, e.remote)
        .bind(4, e.what)
        .bind(5, e.approval_ref)
        .bind(6, e.role)
        .run();
    boost::json::object payload{{"who", e.who}, {"role", e.role}, {"remote", e.remote}, {"what", e.what}};
    payload["approval_ref"] = e.approval_ref ? boost::json::value(*e.approval_ref) : boost::json::value(nullptr);
    append_locked("api_access", std::move(payload));
    tx.commit();
}

std::vector<AccessEntry> Store::access_log(int limit) {
    std::lock_guard lock(mutex_);
    std::vector<AccessEntry> out;
    auto st = db_.prepare(
        "SELECT id, at, who, COALESCE(role,''), COALESCE(remote,''), what, approval_ref FROM access_register "
        "ORDER BY id DESC LIMIT ?");
    st.bind(1, limit);
    while (st.step())
        out.push_back({st.int64(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5), st.opt_text(6)});
    return out;
}

std::vector<DockingListRow> Store::dockings_since(const std::optional<std::string>& since_rfc3339, int limit) {
    std::lock_guard lock(mutex_);
    std::vector<DockingListRow> out;
    auto st = db_.prepare(
        std::string("SELECT ") + docking_columns +
        ", COALESCE(o.name,''), COALESCE(t.files,0), COALESCE(t.bytes,0) "
        "FROM dockings d LEFT JOIN docking_totals t ON t.docking_id=d.id LEFT JOIN officers o ON o.no=d.officer_no "
        "WHERE (?1 IS NULL OR d.docked_at >= ?1) ORDER BY d.docked_at DESC LIMIT ?2");
    st.bind(1, since_rfc3339).bind(2, limit);
    while (st.step()) {
        DockingListRow r;
        r.docking = read_docking_row(st);
        r.officer_name = st.text(docking_column_count);
        r.files = st.int64(docking_column_count + 1);
        r.bytes = st.int64(docking_column_count + 2);
        out.push_back(std::move(r));
    }
    return out;
}

std::optional<FileRecord> Store::file(std::int64_t id) {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(std::string("SELECT ") + file_columns + " FROM files WHERE id=?");
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    return read_file_row(st);
}

std::vector<FileRecord> Store::files_by_state(const std::optional<std::string>& state,
                                              const std::optional<std::string>& docking_id, int limit) {
    std::lock_guard lock(mutex_);
    std::vector<FileRecord> out;
    auto st = db_.prepare(std::string("SELECT ") + file_columns +
                          " FROM files WHERE (?1 IS NULL OR state=?1) AND (?2 IS NULL OR docking_id=?2) "
                          "ORDER BY id DESC LIMIT ?3");
    st.bind(1, state).bind(2, docking_id).bind(3, limit);
    while (st.step()) out.push_back(read_file_row(st));
    return out;
}

std::optional<std::string> Store::retain_reason(std::int64_t file_id) {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare("SELECT retain_reason FROM files WHERE id=?");
    st.bind(1, file_id);
    return st.step() ? st.opt_text(0) : std::nullopt;
}

std::optional<int> Store::retain_file(std::int64_t file_id, const std::string& reason, const std::string& by,
                                      const std::optional<std::string>& retain_class) {
    std::lock_guard lock(mutex_);
    Transaction tx(db_);
    auto exists = db_.prepare("SELECT docking_id FROM files WHERE id=?");
    exists.bind(1, file_id);
    if (!exists.step()) return std::nullopt;
    const std::string docking = exists.text(0);
    db_.prepare(std::string("UPDATE files SET retention='long_term', retain_reason=?1, ") + class_change +
                " WHERE id=?2 AND " + class_differs)
        .bind(1, reason)
        .bind(2, file_id)
        .bind(3, retain_class)
        .run();
    const int changed = db_.changes();
    boost::json::object payload{
        {"file", file_id}, {"docking", docking}, {"reason", reason}, {"by", by}, {"changed", changed}};
    if (retain_class) payload["class"] = *retain_class;
    append_locked("retain", std::move(payload));
    tx.commit();
    return changed;
}

std::optional<int> Store::retain_docking(const std::string& docking_id, const std::string& reason,
                                         const std::string& by, const std::optional<std::string>& retain_class) {
    std::lock_guard lock(mutex_);
    Transaction tx(db_);
    auto exists = db_.prepare("SELECT 1 FROM dockings WHERE id=?");
    exists.bind(1, docking_id);
    if (!exists.step()) return std::nullopt;
    db_.prepare(std::string("UPDATE files SET retention='long_term', retain_reason=?1, ") + class_change +
                " WHERE docking_id=?2 AND " + class_differs + " AND " DOCKD_SQL_COUNTED("files"))
        .bind(1, reason)
        .bind(2, docking_id)
        .bind(3, retain_class)
        .run();
    const int changed = db_.changes();
    boost::json::object payload{{"docking", docking_id}, {"reason", reason}, {"by", by}, {"changed", changed}};
    if (retain_class) payload["class"] = *retain_class;
    append_locked("retain", std::move(payload));
    tx.commit();
    return changed;
}

std::optional<std::int64_t> Store::annotate(Annotation a) {
    std::lock_guard lock(mutex_);
    Transaction tx(db_);
    auto exists =
        a.file_id ? db_.prepare("SELECT 1 FROM files WHERE id=?") : db_.prepare("SELECT 1 FROM dockings WHERE id=?");
    if (a.file_id)
        exists.bind(1, *a.file_id);
    else
        exists.bind(1, a.docking_id.value_or(""));
    if (!exists.step()) return std::nullopt;
    a.at = now_text();
    db_.prepare(
           "INSERT INTO annotations(file_id, docking_id, case_no, category, note, by_who, at, place) "
           "VALUES(?,?,?,?,?,?,?,?)")
        .bind(1, a.file_id)
        .bind(2, a.docking_id)
        .bind(3, a.case_no)
        .bind(4, a.category)
        .bind(5, a.note)
        .bind(6, a.by)
        .bind(7, a.at)
        .bind(8, a.place)
        .run();
    const auto id = db_.last_insert_id();
    boost::json::object payload{{"annotation", id}, {"case_no", a.case_no}, {"category", a.category},
                                {"note", a.note},   {"place", a.place},     {"by", a.by}};
    if (a.file_id)
        payload["file"] = *a.file_id;
    else
        payload["docking"] = *a.docking_id;
    append_locked("annotated", std::move(payload));
    tx.commit();
    return id;
}

std::vector<Annotation> Store::annotations_of_docking(const std::string& docking_id) {
    std::lock_guard lock(mutex_);
    std::vector<Annotation> out;
    auto st =
        db_.prepare(std::string("SELECT ") + annotation_columns +
                    " FROM annotations WHERE docking_id=?1 OR file_id IN (SELECT id FROM files WHERE docking_id=?1) "
                    "ORDER BY id");
    st.bind(1, docking_id);
    while (st.step()) out.push_back(read_annotation(st));
    return out;
}

std::vector<Annotation> Store::annotations_of_file(std::int64_t file_id) {
    std::lock_guard lock(mutex_);
    std::vector<Annotation> out;
    auto st =
        db_.prepare(std::string("SELECT ") + annotation_columns + " FROM annotations WHERE file_id=? ORDER BY id");
    st.bind(1, file_id);
    while (st.step()) out.push_back(read_annotation(st));
    return out;
}

StoreTotals Store::totals() {
    std::lock_guard lock(mutex_);
    StoreTotals t;
    const auto staged = tally("files:staged"), archived = tally("files:archived"), done = tally("uploads:done");
    t.files_ingested = staged.n + archived.n, t.bytes_ingested = staged.bytes + archived.bytes;
    t.files_uploaded = done.n, t.bytes_uploaded = done.bytes;
    auto au = db_.prepare("SELECT COALESCE(MAX(seq),0) FROM audit");
    if (au.step()) t.audit_length = au.int64(0);
    auto fail = db_.prepare(
        "SELECT COALESCE(reason_class,''), COALESCE(last_error,'') FROM uploads "
        "WHERE state='pending' AND (attempts>0 OR last_error IS NOT NULL)");
    while (fail.step()) t.failing.emplace_back(fail.text(0), fail.text(1));
    return t;
}

std::vector<OverdueRecorder> Store::overdue_recorders(const std::string& undocked_before_rfc3339) {
    std::lock_guard lock(mutex_);
    std::vector<OverdueRecorder> out;
    auto st = db_.prepare(
        "SELECT r.serial, COALESCE((SELECT officer_no FROM assignments a WHERE a.serial=r.serial ORDER BY id DESC "
        "LIMIT 1),''), r.last_undocked_at FROM recorders r WHERE r.last_undocked_at IS NOT NULL "
        "AND r.last_undocked_at < ?1 AND NOT EXISTS (SELECT 1 FROM dockings d WHERE d.serial=r.serial "
        "AND (d.undocked_at IS NULL OR d.docked_at > r.last_undocked_at)) ORDER BY r.last_undocked_at");
    st.bind(1, undocked_before_rfc3339);
    while (st.step()) out.push_back({st.text(0), st.text(1), st.text(2)});
    return out;
}

}  // namespace dockd::custody
