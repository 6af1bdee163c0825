// Amendments (DESIGN §11): a retain flag or annotation set after a docking's
// manifest was signed travels as its own signed document; the manifest is
// never rewritten.
#pragma once

#include <string>

#include "daemon/common/result.hpp"
#include "daemon/custody/store.hpp"

namespace dockd::upload {

// {"schema": "dockd.amendment/1", "station", "docking", "audit": {seq, hash},
//  "kind", "at", "changes": [{"object", "sha256", "retention"?, "reason"?,
//  "annotation"?}], "annotation"? (docking-level)}: the exact bytes to sign.
Result<std::string> build_amendment(custody::Store& store, const std::string& station_id,
                                    const custody::PendingAmendment& amendment);

}  // namespace dockd::upload
