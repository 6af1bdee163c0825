// A station's published audit chain on one target: segments in order from
// seq 1, no gap, no overlap, every row's hash recomputed (DESIGN §8), each
// segment signed by the key valid at its last seq, and the key ring those
// key_rotated rows build, which every later signature check uses.
#include "daemon/common/time.hpp"
#include "daemon/custody/audit_chain.hpp"
#include "daemon/custody/audit_segments.hpp"
#include "daemon/verify/target_pass.hpp"

namespace dockd::verify {

const RingKey* TargetPass::key_at(const std::string& station, std::int64_t seq) const {
    auto it = rings_.find(station);
    if (it == rings_.end()) return nullptr;
    const RingKey* found = nullptr;
    for (const auto& k : it->second)
        if (k.first_seq <= seq) found = &k;
    return found;
}

// Reads the document and its .sig again and checks them under one key: the
// key the chain says, when it was not among those tried at first reading.
bool TargetPass::verify_again(const std::string& document, const std::string& pem) {
    auto out = read_object(target_, ReadJob{document, 32u << 20, true});
    counts_.read += 2;
    counts_.bytes_read += out.bytes;
    if (!out.status || !out.signature || !*out.signature) return false;
    auto key = crypto::PublicKey::from_pem(pem);
    if (!key || !key->verify(out.body, **out.signature)) return false;
    state_.db()
        .prepare("UPDATE docs SET verified_by=? WHERE target=? AND document=?")
        .bind(1, pem)
        .bind(2, url_)
        .bind(3, document)
        .run();
    return true;
}

bool TargetPass::check_signature(const std::string& station, const std::string& docking, const std::string& document,
                                 std::int64_t seq, const std::string& signature, const std::string& verified,
                                 const char* check) {
    if (signature.empty()) {
        add(station, docking, document + ".sig", "signature_missing", "no signature beside " + document);
        return false;
    }
    const RingKey* expected = key_at(station, seq);
    if (!expected) return false;  // no enrolled key: reported once per station
    if (verified == expected->pem) return true;
    const auto& tried = candidates_[station];
    const bool conclusive = std::find(tried.begin(), tried.end(), expected->pem) != tried.end();
    if (!conclusive && verify_again(document, expected->pem)) return true;
    add(station, docking, document, check,
        std::string(verified.empty() ? "signature does not verify" : "signed by another station key") + " under key " +
            std::to_string(expected->key_no) + ", the key valid at audit seq " + std::to_string(seq));
    return false;
}

// key_rotated rows of one segment extend the ring: key n+1 signs from the
// row after the one announcing it, which must end its segment.
void TargetPass::apply_rotations(const std::string& station, const std::string& doc, std::int64_t last) {
    auto& ring = rings_[station];
    auto rotations = state_.db().prepare(
        "SELECT seq, number, detail FROM facts WHERE target=? AND document=? AND kind='key_rotated' ORDER BY seq");
    rotations.bind(1, url_).bind(2, doc);
    while (rotations.step()) {
        auto key = crypto::PublicKey::from_pem(rotations.text(2));
        if (rotations.int64(0) != last)
            add(station, "", doc, "segment_rows",
                "key_rotated at seq " + std::to_string(rotations.int64(0)) + " does not end its segment");
        if (!key || ring.empty() || rotations.int64(1) != ring.back().key_no + 1) {
            add(station, "", doc, "key_rotated",
                "key_rotated at seq " + std::to_string(rotations.int64(0)) +
                    " announces an unusable or out-of-order key");
            continue;
        }
        ring.push_back({static_cast<int>(rotations.int64(1)), rotations.int64(0) + 1, key->pem()});
    }
}

// Whether a segment starts right after the rows published before it; a gap
// or an overlap is reported.
bool TargetPass::follows(const std::string& station, const std::string& doc, std::int64_t first, std::int64_t next) {
    if (first > next)
        add(station, "", custody::segment_key(station, next, first - 1), "chain_gap",
            "audit rows " + std::to_string(next) + "-" + std::to_string(first - 1) +
                " are not published on this target (a segment is missing)");
    else if (first < next)
        add(station, "", doc, "chain_overlap",
            "starts at seq " + std::to_string(first) + ", but seqs up to " + std::to_string(next - 1) +
                " are in an earlier segment");
    return first == next;
}

void TargetPass::check_chain(const std::string& station, StationSummary& summary) {
    auto& ring = rings_[station];
    ring.clear();
    if (auto it = enrolled_.find(station); it != enrolled_.end()) ring.push_back({1, 1, it->second});
    auto st = state_.db().prepare(
        "SELECT document, first_seq, last_seq, problem, signature, verified_by, first_payload, first_hash, "
        "last_hash, last_at FROM docs WHERE target=? AND station=? AND layout='segment' AND first_seq IS NOT NULL "
        "ORDER BY first_seq, last_seq");
    st.bind(1, url_).bind(2, station);
    std::int64_t next = 1;
    std::optional<std::string> prev_hash;
    bool after_gap = false;
    std::string newest_doc;
    while (st.step()) {
        const std::string doc = st.text(0);
        const std::int64_t first = st.int64(1), last = st.int64(2);
        ++summary.segments;
        ++counts_.checked;
        if (!follows(station, doc, first, next)) {
            prev_hash.reset();
            after_gap = after_gap || first > next;
        }
        if (!st.text(3).empty()) add(station, "", doc, "segment_rows", st.text(3));
        if (prev_hash && custody::chain_hash(*prev_hash, st.text(6)) != st.text(7))
            add(station, "", doc, "chain_link", "its first row does not chain from the previous segment's last hash");
        // After a gap the rotation that introduced a key may be what is missing:
        // a key the station published is then taken for what it signs (the gap is already reported).
        const std::string verified = st.text(5);
        const RingKey* expected = key_at(station, last);
        if (after_gap && expected && !verified.empty() && verified != expected->pem &&
            std::none_of(ring.begin(), ring.end(), [&](const RingKey& k) { return k.pem == verified; }))
            ring.push_back({ring.back().key_no + 1, first, verified});
        check_signature(station, "", doc, last, st.text(4), verified, "segment_signature");
        apply_rotations(station, doc, last);
        prev_hash = st.text(8);
        next = std::max(next, last + 1);
        summary.chain_last = std::max(summary.chain_last, last);
        if (last == summary.chain_last)
            summary.head_hash = st.text(8), summary.newest_at = st.text(9), newest_doc = doc;
    }
    check_silence(station, summary, newest_doc);
}

void TargetPass::check_silence(const std::string& station, const StationSummary& summary,
                               const std::string& newest_doc) {
    if (summary.segments == 0) {
        add(station, "", "audit/" + station + "/", "no_chain", "no audit segments are published for this station");
        return;
    }
    const auto newest = parse_rfc3339(summary.newest_at);
    if (o_.max_silence && (!newest || std::chrono::system_clock::now() - *newest > *o_.max_silence))
        add(station, "", newest_doc, "silence",
            "the newest published audit row (seq " + std::to_string(summary.chain_last) + ", " + summary.newest_at +
                ") is older than --max-silence");
}

}  // namespace dockd::verify
