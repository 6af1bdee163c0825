// The docking manifest (DESIGN §7): what the station hands the archive as
// its custody claim, signed with the station key.
#pragma once

#include <cstdint>
#include <string>

#include "daemon/common/result.hpp"
#include "daemon/config/config.hpp"
#include "daemon/custody/store.hpp"

namespace dockd::upload {

struct Manifest {
    std::string key;             // manifests/<station_id>/<docking_id>.json
    std::string json;            // exact bytes that are signed
    std::int64_t audit_seq = 0;  // its audit head: the key valid there signs it (DESIGN §11)
};

// retention: each file's retain_until (seed R7, DESIGN §13) comes from its classes.
Result<Manifest> build_manifest(custody::Store& store, const std::string& station_id,
                                const config::RetentionConfig& retention, const std::string& docking_id);

}  // namespace dockd::upload
