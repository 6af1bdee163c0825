#include "daemon/custody/audit_chain.hpp"

#include "daemon/crypto/sha256.hpp"

namespace dockd::custody {

std::string genesis_hash() {
    return std::string(64, '0');
}

std::string chain_hash(std::string_view previous_hash, std::string_view payload) {
    crypto::Sha256 h;
    h.update(previous_hash);
    h.update("\n");
    h.update(payload);
    return h.hex_digest();
}

AuditHead audit_head(Database& db) {
    auto st = db.prepare("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1");
    if (!st.step()) return {0, genesis_hash()};
    return {st.int64(0), st.text(1)};
}

AuditHead append_audit(Database& db, std::string_view at, std::string_view kind, std::string_view payload) {
    const AuditHead prev = audit_head(db);
    AuditHead next{prev.seq + 1, chain_hash(prev.hash, payload)};
    db.prepare("INSERT INTO audit(seq, at, kind, payload, hash) VALUES(?,?,?,?,?)")
        .bind(1, next.seq)
        .bind(2, at)
        .bind(3, kind)
        .bind(4, payload)
        .bind(5, next.hash)
        .run();
    return next;
}

bool ChainCheck::add(std::int64_t seq, std::string_view payload, std::string_view hash) {
    auto& v = verdict_;
    if (!v.ok) return false;
    if (seq != v.head.seq + 1) {
        v.ok = false;
        v.first_bad_seq = v.head.seq + 1;
        v.problem = "row " + std::to_string(v.head.seq + 1) + " is missing";
        return false;
    }
    std::string expected = chain_hash(v.head.hash, payload);
    if (hash != expected) {
        v.ok = false;
        v.first_bad_seq = seq;
        v.problem = "row " + std::to_string(seq) + ": hash does not match its payload and predecessor";
        return false;
    }
    v.head = {seq, std::move(expected)};
    ++v.length;
    return true;
}

}  // namespace dockd::custody
