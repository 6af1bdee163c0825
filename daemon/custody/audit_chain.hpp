// Tamper-evident custody log (DESIGN §8):
//   hash_seq = hex(SHA-256(hash_{seq-1} + "\n" + payload)), hash_0 = 64 x "0"
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/custody/sqlite.hpp"

namespace dockd::custody {

struct AuditHead {
    std::int64_t seq = 0;
    std::string hash;
};

struct AuditVerdict {
    bool ok = true;
    std::int64_t length = 0;
    AuditHead head;
    std::optional<std::int64_t> first_bad_seq;
    std::string problem;  // empty when ok
};

std::string genesis_hash();
std::string chain_hash(std::string_view previous_hash, std::string_view payload);

// Appends inside the caller's open transaction so the event commits with the
// state change it records.
AuditHead append_audit(Database& db, std::string_view at, std::string_view kind, std::string_view payload);
AuditHead audit_head(Database& db);

// Checks rows fed in seq order from the genesis; the verdict stops at the
// first bad row (add() then returns false). Rows may come in batches read
// under separate locks: the chain is append-only.
class ChainCheck {
public:
    ChainCheck() { verdict_.head = {0, genesis_hash()}; }
    bool add(std::int64_t seq, std::string_view payload, std::string_view hash);
    const AuditVerdict& verdict() const { return verdict_; }

private:
    AuditVerdict verdict_;
};

}  // namespace dockd::custody
