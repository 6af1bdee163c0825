#include "daemon/custody/store.hpp"

#include <openssl/rand.h>

#include <boost/json/serialize.hpp>

#include "daemon/common/hex.hpp"
#include "daemon/common/time.hpp"
#include "daemon/custody/file_columns.hpp"
#include "daemon/custody/migrations.hpp"

namespace dockd::custody {
namespace {

std::string now_text() {
    return rfc3339(std::chrono::system_clock::now());
}

// Sortable, unique across stations' archives without coordination.
std::string new_docking_id(int bay) {
    const auto now = std::chrono::system_clock::now();
    const std::time_t secs = std::chrono::system_clock::to_time_t(now);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    unsigned char rnd[4];
    RAND_bytes(rnd, sizeof rnd);
    return std::string(stamp) + "-b" + std::to_string(bay) + "-" + to_hex(std::span<const unsigned char>(rnd, 4));
}

}  // namespace

Result<std::unique_ptr<Store>> Store::open(const std::filesystem::path& db_file) {
    auto db = Database::open(db_file);
    if (!db) return db.error();
    if (auto m = migrate(*db); !m) return m.error().context(db_file.string());
    return std::unique_ptr<Store>(new Store(std::move(*db)));
}

AuditHead Store::append_locked(const std::string& kind, boost::json::object payload) {
    const std::string at = now_text();
    // kind and time inside the payload so the chain covers them too.
    boost::json::object full;
    full["kind"] = kind;
    full["at"] = at;
    for (auto& [k, v] : payload) full[k] = std::move(v);
    return append_audit(db_, at, kind, boost::json::serialize(full));
}

AuditHead Store::append_event(const std::string& kind, boost::json::object payload) {
    std::lock_guard lock(mutex_);
    Transaction tx(db_);
    auto head = append_locked(kind, std::move(payload));
    tx.commit();
    return head;
}

AuditHead Store::head() {
    std::lock_guard lock(mutex_);
    return audit_head(db_);
}

Store::Tally Store::tally(const char* name) {
    auto st = db_.prepare("SELECT n, bytes FROM tallies WHERE name=?");
    st.bind(1, name);
    return st.step() ? Tally{st.int64(0), st.int64(1)} : Tally{};
}

// In batches: the store's lock is held only to read a batch, never while
// hashing, so a full proof of millions of rows delays no bay's commit.
AuditVerdict Store::verify(std::int64_t batch) {
    ChainCheck check;
    struct Row {
        std::int64_t seq;
        std::string payload, hash;
    };
    std::vector<Row> rows;
    for (std::int64_t after = 0;;) {
        rows.clear();
        {
            std::lock_guard lock(mutex_);
            auto st = db_.prepare("SELECT seq, payload, hash FROM audit WHERE seq > ? ORDER BY seq LIMIT ?");
            st.bind(1, after).bind(2, batch);
            while (st.step()) rows.push_back({st.int64(0), st.text(1), st.text(2)});
        }
        for (const auto& r : rows)
            if (!check.add(r.seq, r.payload, r.hash)) return check.verdict();
        if (static_cast<std::int64_t>(rows.size()) < batch) return check.verdict();
        after = rows.back().seq;
    }
}

const char* to_string(ClockSet s) {
    switch (s) {
        case ClockSet::confirmed:
            return "confirmed";
        case ClockSet::unconfirmed:
            return "unconfirmed";
        case ClockSet::failed:
            return "failed";
        case ClockSet::withheld:
            return "withheld";
    }
    return "failed";
}

namespace {

boost::json::value json_opt(const std::optional<std::string>& v) {
    return v ? boost::json::value(*v) : boost::json::value(nullptr);
}

template <class T>
boost::json::value json_opt(const std::optional<T>& v) {
    return v ? boost::json::value(*v) : boost::json::value(nullptr);
}

}  // namespace

void Store::upsert_officer(const OfficerRecord& o, const std::string& now) {
    db_.prepare(
           "INSERT INTO officers(no, name, unit_no, unit_name, updated_at) VALUES(?1,?2,?3,?4,?5) "
           "ON CONFLICT(no) DO UPDATE SET name=COALESCE(NULLIF(?2,''),name), "
           "unit_no=COALESCE(NULLIF(?3,''),unit_no), unit_name=COALESCE(NULLIF(?4,''),unit_name), updated_at=?5")
        .bind(1, o.no)
        .bind(2, o.name)
        .bind(3, o.unit_no)
        .bind(4, o.unit_name)
        .bind(5, now)
        .run();
}

OpenedDocking Store::open_docking(int bay, const RecorderIdentity& rec, const std::optional<OfficerRecord>& officer) {
    std::lock_guard lock(mutex_);
    const std::string now = now_text();
    OpenedDocking out;
    out.id = new_docking_id(bay);
    Transaction tx(db_);
    db_.prepare(
           "INSERT INTO recorders(serial, vendor, model, firmware, first_seen_at, last_docked_at) "
           "VALUES(?1,?2,?3,?4,?5,?5) ON CONFLICT(serial) DO UPDATE SET vendor=?2, model=?3, "
           "firmware=?4, last_docked_at=?5")
        .bind(1, rec.serial)
        .bind(2, rec.vendor)
        .bind(3, rec.model)
        .bind(4, rec.firmware)
        .bind(5, now)
        .run();
    if (officer && !officer->no.empty()) {
        out.device_officer_no = officer->no;
        upsert_officer(*officer, now);
    }
    // An officer assigned at the station is the custodian until reassigned
    // (seed R1), whatever the recorder's own record says.
    auto st =
        db_.prepare("SELECT officer_no FROM assignments WHERE serial=? AND source='manual' ORDER BY id DESC LIMIT 1");
    st.bind(1, rec.serial);
    out.officer_no = st.step() ? std::optional<std::string>(st.text(0)) : out.device_officer_no;
    out.assignment_disagrees = out.device_officer_no && out.officer_no != out.device_officer_no;
    db_.prepare(
           "INSERT INTO dockings(id, bay, serial, officer_no, device_officer_no, firmware, docked_at) "
           "VALUES(?,?,?,?,?,?,?)")
        .bind(1, out.id)
        .bind(2, bay)
        .bind(3, rec.serial)
        .bind(4, out.officer_no)
        .bind(5, out.device_officer_no)
        .bind(6, rec.firmware)
        .bind(7, now)
        .run();
    boost::json::object p{{"docking", out.id},
                          {"bay", bay},
                          {"serial", rec.serial},
                          {"vendor", rec.vendor},
                          {"model", rec.model},
                          {"firmware", json_opt(rec.firmware)},
                          {"officer_no", json_opt(out.officer_no)},
                          {"device_officer_no", json_opt(out.device_officer_no)}};
    if (out.assignment_disagrees) p["assignment_disagrees"] = true;
    append_locked("docked", std::move(p));
    tx.commit();
    return out;
}

void Store::record_health(const std::string& docking_id, const HealthReading& h) {
    std::lock_guard lock(mutex_);
    Transaction tx(db_);
    const auto as_i64 = [](const std::optional<std::uint64_t>& v) {
        return v ? std::optional<std::int64_t>(static_cast<std::int64_t>(*v)) : std::nullopt;
    };
    const auto battery = h.battery_percent ? std::optional<std::int64_t>(*h.battery_percent) : std::nullopt;
    db_.prepare("UPDATE dockings SET battery_in=?, storage_total=?, storage_free=? WHERE id=?")
        .bind(1, battery)
        .bind(2, as_i64(h.storage_total))
        .bind(3, as_i64(h.storage_free))
        .bind(4, docking_id)
        .run();
    append_locked("checked", {{"docking", docking_id},
                              {"battery_percent", json_opt(h.battery_percent)},
                              {"storage_total_bytes", json_opt(h.storage_total)},
                              {"storage_free_bytes", json_opt(h.storage_free)}});
    tx.commit();
}

void Store::record_clock(const std::string& docking_id, const ClockMeasurement& m) {
    std::lock_guard lock(mutex_);
    Transaction tx(db_);
    db_.prepare(
           "UPDATE dockings SET device_time=?, station_time=?, clock_offset_ms=?, clock_measured=?, "
           "clock_plausible=?, host_synced=? WHERE id=?")
        .bind(1, m.device_time)
        .bind(2, m.station_time)
        .bind(3, m.offset_ms)
        .bind(4, m.offset_ms ? 1 : 0)
        .bind(5, m.plausible ? 1 : 0)
        .bind(6, m.host_synced ? 1 : 0)
        .bind(7, docking_id)
        .run();
    append_locked("clock_measured", {{"docking", docking_id},
                                     {"device_time", json_opt(m.device_time)},
                                     {"station_time", m.station_time},
                                     {"offset_ms", json_opt(m.offset_ms)},
                                     {"measured", m.offset_ms.has_value()},
                                     {"plausible", m.plausible},
                                     {"host_synced", m.host_synced}});
    tx.commit();
}

void Store::record_clock_set(const std::string& docking_id, ClockSet outcome, const std::string& detail) {
    std::lock_guard lock(mutex_);
    Transaction tx(db_);
    const bool set = outcome == ClockSet::confirmed || outcome == ClockSet::unconfirmed;
    db_.prepare("UPDATE dockings SET clock_set=?, clock_set_at=CASE WHEN ? THEN ? ELSE clock_set_at END WHERE id=?")
        .bind(1, to_string(outcome))
        .bind(2, set ? 1 : 0)
        .bind(3, now_text())
        .bind(4, docking_id)
        .run();
    append_locked("clock_set",
                  {{"docking", docking_id}, {"ok", set}, {"outcome", to_string(outcome)}, {"detail", detail}});
    tx.commit();
}

void Store::record_ready(const std::string& docking_id, const std::string& rule) {
    std::lock_guard lock(mutex_);
    Transaction tx(db_);
    db_.prepare("UPDATE dockings SET ready_rule=? WHERE id=? AND ready_rule IS NULL")
        .bind(1, rule)
        .bind(2, docking_id)
        .run();
    if (db_.changes() == 0) return;
    append_locked("ready", {{"docking", docking_id}, {"rule", rule}});
    tx.commit();
}

void Store::record_officer_written(const std::string& docking_id, const std::string& officer_no, bool ok,
                                   const std::string& detail) {
    std::lock_guard lock(mutex_);
    Transaction tx(db_);
    append_locked("officer_written",
                  {{"docking", docking_id}, {"officer_no", officer_no}, {"ok", ok}, {"detail", detail}});
    tx.commit();
}

void Store::finish_offload(const std::string& docking_id, int staged, int skipped, int refused, int failed) {
    std::lock_guard lock(mutex_);
    Transaction tx(db_);
    db_.prepare("UPDATE dockings SET offload_done_at=? WHERE id=? AND offload_done_at IS NULL")
        .bind(1, now_text())
        .bind(2, docking_id)
        .run();
    append_locked("offload_done", {{"docking", docking_id},
                                   {"staged", staged},
                                   {"already_staged", skipped},
                                   {"refused", refused},
                                   {"failed", failed}});
    tx.commit();
}

void Store::record_fault(const std::string& docking_id, const std::string& reason) {
    std::lock_guard lock(mutex_);
    Transaction tx(db_);
    db_.prepare("UPDATE dockings SET fault=? WHERE id=?").bind(1, reason).bind(2, docking_id).run();
    append_locked("fault", {{"docking", docking_id}, {"reason", reason}});
    tx.commit();
}

void Store::close_docking(const std::string& docking_id, std::optional<int> battery_out, const std::string& reason) {
    std::lock_guard lock(mutex_);
    const std::string now = now_text();
    Transaction tx(db_);
    // A docking interrupted before its offload finished is still closed with
    // what was staged: its manifest covers exactly those files.
    db_.prepare(
           "UPDATE dockings SET undocked_at=?1, battery_out=?2, close_reason=?3, "
           "offload_done_at=COALESCE(offload_done_at, ?1) WHERE id=?4 AND undocked_at IS NULL")
        .bind(1, now)
        .bind(2, battery_out ? std::optional<std::int64_t>(*battery_out) : std::nullopt)
        .bind(3, reason)
        .bind(4, docking_id)
        .run();
    if (db_.changes() == 0) return;
    db_.prepare("UPDATE recorders SET last_undocked_at=? WHERE serial=(SELECT serial FROM dockings WHERE id=?)")
        .bind(1, now)
        .bind(2, docking_id)
        .run();
    boost::json::object p{{"docking", docking_id}, {"reason", reason}};
    if (battery_out) p["battery_percent"] = *battery_out;
    append_locked("undocked", std::move(p));
    tx.commit();
}

std::vector<std::string> Store::open_dockings() {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    auto st = db_.prepare("SELECT id FROM dockings WHERE undocked_at IS NULL");
    while (st.step()) out.push_back(st.text(0));
    return out;
}

std::optional<RecorderIdentity> Store::recorder(const std::string& serial) {
    std::lock_guard lock(mutex_);
    auto st =
        db_.prepare("SELECT serial, COALESCE(vendor,''), COALESCE(model,''), firmware FROM recorders WHERE serial=?");
    st.bind(1, serial);
    if (!st.step()) return std::nullopt;
    return RecorderIdentity{st.text(0), st.text(1), st.text(2), st.opt_text(3)};
}

std::optional<OfficerRecord> Store::officer(const std::string& no) {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare("SELECT no, name, unit_no, unit_name FROM officers WHERE no=?");
    st.bind(1, no);
    if (!st.step()) return std::nullopt;
    return OfficerRecord{st.text(0), st.text(1), st.text(2), st.text(3)};
}

DockingRecord Store::read_docking_row(Statement& st) {
    DockingRecord d;
    d.id = st.text(0);
    d.bay = static_cast<int>(st.int64(1));
    d.serial = st.text(2);
    d.officer_no = st.opt_text(3);
    d.docked_at = st.text(4);
    d.undocked_at = st.opt_text(5);
    d.close_reason = st.opt_text(6);
    d.offload_done_at = st.opt_text(7);
    d.battery_in = st.opt_int64(8);
    d.battery_out = st.opt_int64(9);
    d.clock_offset_ms = st.opt_int64(10);
    d.device_time = st.opt_text(11);
    d.station_time = st.opt_text(12);
    d.fault = st.opt_text(13);
    d.firmware = st.opt_text(14);
    d.device_officer_no = st.opt_text(15);
    d.clock_set = st.opt_text(16);
    d.ready_rule = st.opt_text(17);
    d.storage_total = st.opt_int64(18);
    d.storage_free = st.opt_int64(19);
    const auto flag = [&](int col) {
        auto v = st.opt_int64(col);
        return v ? std::optional<bool>(*v != 0) : std::nullopt;
    };
    d.clock_measured = flag(20);
    d.clock_plausible = flag(21);
    d.host_synced = flag(22);
    return d;
}

std::optional<DockingRecord> Store::docking(const std::string& id) {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(std::string("SELECT ") + docking_columns + " FROM dockings d WHERE d.id=?");
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    return read_docking_row(st);
}

void Store::assign(const std::string& serial, const OfficerRecord& officer, const std::string& source,
                   const std::string& by) {
    std::lock_guard lock(mutex_);
    const std::string now = now_text();
    Transaction tx(db_);
    upsert_officer(officer, now);
    auto prev = db_.prepare("SELECT officer_no FROM assignments WHERE serial=? ORDER BY id DESC LIMIT 1");
    prev.bind(1, serial);
    const auto before = prev.step() ? std::optional<std::string>(prev.text(0)) : std::nullopt;
    db_.prepare(
           "INSERT INTO assignments(serial, officer_no, assigned_at, source, assigned_by, previous_officer_no) "
           "VALUES(?,?,?,?,?,?)")
        .bind(1, serial)
        .bind(2, officer.no)
        .bind(3, now)
        .bind(4, source)
        .bind(5, by)
        .bind(6, before)
        .run();
    append_locked("assignment", {{"serial", serial},
                                 {"officer_no", officer.no},
                                 {"previous_officer_no", json_opt(before)},
                                 {"source", source},
                                 {"by", by}});
    tx.commit();
}

}  // namespace dockd::custody
