#include <algorithm>

#include "daemon/custody/store.hpp"

namespace dockd::custody {

// The device-use ledger (台账, seed R1): one row per docking, its totals
// from docking_totals (kept by migration 9's triggers; counted files only).
std::vector<LedgerRow> Store::ledger(const std::optional<std::string>& from_rfc3339,
                                     const std::optional<std::string>& to_rfc3339) {
    std::lock_guard lock(mutex_);
    std::vector<LedgerRow> out;
    auto st = db_.prepare(
        "SELECT d.id, d.bay, d.serial, COALESCE(r.vendor,''), COALESCE(r.model,''), COALESCE(d.officer_no,''), "
        "COALESCE(o.name,''), COALESCE(o.unit_name,''), d.docked_at, d.undocked_at, "
        "COALESCE(t.files,0), COALESCE(t.bytes,0), COALESCE(t.refused,0), "
        "d.battery_in, d.battery_out, d.clock_offset_ms, d.close_reason, t.recorded_from, t.recorded_to, "
        "CASE WHEN t.durations > 0 THEN t.duration_ms END, COALESCE(t.truncated,0) "
        "FROM dockings d LEFT JOIN docking_totals t ON t.docking_id=d.id "
        "LEFT JOIN recorders r ON r.serial=d.serial LEFT JOIN officers o ON o.no=d.officer_no "
        "WHERE (?1 IS NULL OR d.docked_at >= ?1) AND (?2 IS NULL OR d.docked_at < ?2) ORDER BY d.docked_at");
    st.bind(1, from_rfc3339).bind(2, to_rfc3339);
    while (st.step()) {
        LedgerRow r;
        r.docking_id = st.text(0);
        r.bay = static_cast<int>(st.int64(1));
        r.serial = st.text(2);
        r.vendor = st.text(3);
        r.model = st.text(4);
        r.officer_no = st.text(5);
        r.officer_name = st.text(6);
        r.unit_name = st.text(7);
        r.docked_at = st.text(8);
        r.undocked_at = st.opt_text(9);
        r.files = st.int64(10);
        r.bytes = st.int64(11);
        r.refused = st.int64(12);
        r.battery_in = st.opt_int64(13);
        r.battery_out = st.opt_int64(14);
        r.clock_offset_ms = st.opt_int64(15);
        r.close_reason = st.opt_text(16);
        r.recorded_from = st.opt_text(17);
        r.recorded_to = st.opt_text(18);
        r.recorded_duration_ms = st.opt_int64(19);  // SUM of nothing known is NULL
        r.truncated_files = st.int64(20);
        out.push_back(std::move(r));
    }
    add_assignments(from_rfc3339, to_rfc3339, out);
    std::stable_sort(out.begin(), out.end(),
                     [](const LedgerRow& a, const LedgerRow& b) { return a.docked_at < b.docked_at; });
    return out;
}

// Assignments and re-assignments are ledger rows of their own (seed R1):
// who, which recorder, from whom, by whom, when.
void Store::add_assignments(const std::optional<std::string>& from_rfc3339,
                            const std::optional<std::string>& to_rfc3339, std::vector<LedgerRow>& out) {
    auto st = db_.prepare(
        "SELECT a.serial, COALESCE(r.vendor,''), COALESCE(r.model,''), a.officer_no, COALESCE(o.name,''), "
        "COALESCE(o.unit_name,''), a.assigned_at, a.previous_officer_no, COALESCE(a.assigned_by, a.source) "
        "FROM assignments a LEFT JOIN recorders r ON r.serial=a.serial LEFT JOIN officers o ON o.no=a.officer_no "
        "WHERE (?1 IS NULL OR a.assigned_at >= ?1) AND (?2 IS NULL OR a.assigned_at < ?2) ORDER BY a.id");
    st.bind(1, from_rfc3339).bind(2, to_rfc3339);
    while (st.step()) {
        LedgerRow r;
        r.kind = "assignment";
        r.serial = st.text(0);
        r.vendor = st.text(1);
        r.model = st.text(2);
        r.officer_no = st.text(3);
        r.officer_name = st.text(4);
        r.unit_name = st.text(5);
        r.docked_at = st.text(6);
        r.previous_officer_no = st.opt_text(7);
        r.assigned_by = st.opt_text(8);
        out.push_back(std::move(r));
    }
}

}  // namespace dockd::custody
