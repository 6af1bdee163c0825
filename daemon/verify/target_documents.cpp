// Manifests, amendments and keys of one station on one target, each under
// the key the chain says was valid at its audit seq and citing the chain
// row at that seq; and every document the chain says the station owes.
#include <cstdio>

#include "daemon/common/time.hpp"
#include "daemon/custody/audit_segments.hpp"
#include "daemon/verify/target_pass.hpp"

namespace dockd::verify {
namespace {
std::string seq_text(std::int64_t seq) {
    return std::to_string(seq);
}
}  // namespace

// Manifests and amendments alike: readable, signed under the key valid at
// the audit seq they cite, citing the chain's own hash there. `extra` is one
// more SQL column over the document (docs d), handed to `more` when it is sound.
void TargetPass::check_signed(const std::string& station, const std::string& layout, const std::string& extra,
                              std::int64_t& count, const SignedCheck& more) {
    auto st = state_.db().prepare(
        "SELECT d.document, d.docking, d.first_seq, d.head_hash, d.signature, d.verified_by, d.problem, "
        "(SELECT hash FROM row_hashes r WHERE r.target=d.target AND r.station=d.station AND r.seq=d.first_seq), " +
        extra + " FROM docs d WHERE d.target=? AND d.station=? AND d.layout=? ORDER BY d.document");
    st.bind(1, url_).bind(2, station).bind(3, layout);
    while (st.step()) {
        ++count;
        ++counts_.checked;
        const SignedDoc doc{st.text(0), st.text(1), st.text(4)};
        if (!st.text(6).empty()) {
            add(station, doc.docking, doc.document, layout + "_invalid", st.text(6));
            continue;
        }
        const bool signed_ok = check_signature(station, doc.docking, doc.document, st.int64(2), doc.signature,
                                               st.text(5), (layout + "_signature").c_str());
        if (auto row = st.opt_text(7); row && *row != st.text(3))
            add(station, doc.docking, doc.document, layout + "_head",
                "cites audit seq " + seq_text(st.int64(2)) + " with a hash the published chain does not have");
        more(doc, signed_ok, st.opt_text(8));
    }
}

void TargetPass::check_manifests(const std::string& station, StationSummary& summary) {
    check_signed(station, "manifest",
                 "(SELECT detail FROM facts f WHERE f.target=d.target AND f.station=d.station AND "
                 "f.kind='manifest_signed' AND f.docking=d.docking ORDER BY f.seq LIMIT 1)",
                 summary.manifests, [&](const SignedDoc& doc, bool signed_ok, const std::optional<std::string>& chain) {
                     if (signed_ok && chain && *chain != doc.signature)
                         add(station, doc.docking, doc.document, "manifest_not_as_signed",
                             "its signature is not the one the audit chain recorded when it was signed");
                 });
}

void TargetPass::check_amendments(const std::string& station, StationSummary& summary) {
    // An amendment changes only files of its own docking (its manifest's, or staged for it in the chain).
    check_signed(station, "amendment",
                 "(SELECT e.object FROM entries e WHERE e.target=d.target AND e.document=d.document AND NOT EXISTS "
                 "(SELECT 1 FROM entries m JOIN docs md ON md.target=m.target AND md.document=m.document "
                 "WHERE m.target=d.target AND md.layout='manifest' AND m.docking=d.docking AND m.object=e.object) "
                 "AND NOT EXISTS (SELECT 1 FROM facts f WHERE f.target=d.target AND f.station=d.station AND "
                 "f.kind='file_staged' AND f.docking=d.docking AND f.object=e.object) LIMIT 1)",
                 summary.amendments, [&](const SignedDoc& doc, bool, const std::optional<std::string>& stranger) {
                     if (stranger)
                         add(station, doc.docking, doc.document, "amendment_invalid",
                             "changes " + *stranger + ", not a file of this docking");
                 });
}

void TargetPass::check_keys(const std::string& station, StationSummary& summary) {
    const auto ring = rings_[station];
    for (const auto& k : ring) {
        const std::string object = custody::key_object(station, k.key_no);
        auto st = state_.db().prepare("SELECT pem, problem FROM docs WHERE target=? AND document=?");
        st.bind(1, url_).bind(2, object);
        ++counts_.checked;
        if (!st.step())
            add(station, "", object, "key_missing", "key " + std::to_string(k.key_no) + " is not published");
        else if (st.opt_text(0).value_or("") != k.pem)
            add(station, "", object, "key_mismatch",
                k.key_no == 1 ? "differs from the enrolled key" : "differs from the key the audit chain announced");
        else
            ++summary.keys;
    }
    auto extra = state_.db().prepare(
        "SELECT document FROM docs WHERE target=? AND station=? AND layout='key' AND CAST(substr(document, "
        "length('keys/' || station || '/') + 1) AS INTEGER) > ? ORDER BY document");
    extra.bind(1, url_).bind(2, station).bind(3, static_cast<std::int64_t>(ring.size()));
    while (extra.step())
        add(station, "", extra.text(0), "key_unannounced", "published, yet no key_rotated row announces it");
}

// What the chain says must be there: a manifest for every docking it records
// as signed or whose docking is older than the upload deadline, and an
// amendment for every retain flag or annotation after its docking's manifest.
void TargetPass::check_owed(const std::string& station) {
    auto& db = state_.db();
    const std::string deadline = rfc3339(std::chrono::system_clock::now() - o_.upload_deadline);
    auto manifests = db.prepare(
        "SELECT f.docking, MIN(CASE WHEN f.kind='manifest_signed' THEN f.seq END), MIN(f.at) FROM facts f "
        "WHERE f.target=?1 AND f.station=?2 AND f.kind IN ('manifest_signed','docked') GROUP BY f.docking "
        "HAVING NOT EXISTS (SELECT 1 FROM docs d WHERE d.target=?1 AND d.layout='manifest' AND d.station=?2 "
        "AND d.docking=f.docking) AND (MIN(CASE WHEN f.kind='manifest_signed' THEN f.seq END) IS NOT NULL "
        "OR MIN(CASE WHEN f.kind='docked' THEN f.at END) < ?3)");
    manifests.bind(1, url_).bind(2, station).bind(3, deadline);
    while (manifests.step()) {
        const std::string docking = manifests.text(0);
        add(station, docking, "manifests/" + station + "/" + docking + ".json", "manifest_missing",
            manifests.opt_int64(1)
                ? "the audit chain records it signed at seq " + seq_text(*manifests.opt_int64(1)) +
                      ", but this target does not hold it"
                : "docked at " + manifests.text(2) + ", longer ago than the upload deadline, and no manifest");
    }
    auto amendments = db.prepare(
        "SELECT e.seq, COALESCE(NULLIF(e.docking, ''), (SELECT s.docking FROM facts s WHERE s.target=?1 AND "
        "s.station=?2 AND s.kind='file_staged' AND s.file_id=e.file_id LIMIT 1)) AS dk FROM facts e "
        "WHERE e.target=?1 AND e.station=?2 AND ((e.kind='retain' AND e.number > 0) OR e.kind='annotated') "
        "AND EXISTS (SELECT 1 FROM facts m WHERE m.target=?1 AND m.station=?2 AND m.kind='manifest_signed' "
        "AND m.docking=dk AND m.seq < e.seq)");
    amendments.bind(1, url_).bind(2, station);
    while (amendments.step()) {
        const std::string docking = amendments.text(1);
        const std::string object = custody::amendment_key(station, docking, amendments.int64(0));
        auto have = db.prepare("SELECT 1 FROM docs WHERE target=? AND document=?");
        have.bind(1, url_).bind(2, object);
        if (!have.step())
            add(station, docking, object, "amendment_missing",
                "audit row " + seq_text(amendments.int64(0)) +
                    " changed this docking after its manifest was signed; the amendment is not here");
    }
}

}  // namespace dockd::verify
