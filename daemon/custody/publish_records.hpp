// Rows of the archive's own proof (DESIGN §11, issue 10): audit segments,
// amendments and public keys the station publishes through the upload queue.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/common/result.hpp"

namespace dockd::custody {

// Signs the bytes of something that sits at audit seq `seq` with the key
// valid there (crypto::KeyRing::sign_at); raw 64-byte Ed25519.
using Signer = std::function<Result<std::string>(std::int64_t seq, std::string_view bytes)>;

// How big one segment may grow: the whole file is signed at once (pure
// Ed25519) and read whole by verifiers, so its size bounds their memory.
struct SegmentLimits {
    std::int64_t max_rows = 10'000;
    std::size_t max_bytes = 4u << 20;
};

struct AuditRow {
    std::int64_t seq = 0;
    std::string at, kind, payload, hash;
};

// A docking's retain flag or annotation recorded after its manifest was
// signed: an amendment is owed for the audit row at `seq` (DESIGN §11).
struct PendingAmendment {
    std::int64_t seq = 0;
    std::string docking_id;
};

// What one publication upload sends: the object and its .sig (none for keys).
struct PublicationBody {
    std::string kind;  // segment, amendment, key
    std::string object_key, content;
    std::optional<std::string> signature;  // raw bytes
};

struct SegmentRecord {
    std::int64_t id = 0, first_seq = 0, last_seq = 0;
    std::string object_key, sha256;
};

}  // namespace dockd::custody
