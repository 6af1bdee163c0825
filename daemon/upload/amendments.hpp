// Amendments (DESIGN §11): a retain flag or annotation set after a docking's
// manifest was signed travels as its own signed document; the manifest is
// never rewritten.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "daemon/common/result.hpp"
#include "daemon/config/config.hpp"
#include "daemon/custody/store.hpp"

namespace dockd::upload {

// {"schema": "dockd.amendment/1", "station", "docking", "audit": {seq, hash},
//  "kind", "at", "changes": [{"object", "sha256", "retention"?, "reason"?,
//  "annotation"?}], "annotation"? (docking-level)}: the exact bytes to sign.
// A retain change also names the file's class and its new retain_until (seed R7).
Result<std::string> build_amendment(custody::Store& store, const std::string& station_id,
                                    const config::RetentionConfig& retention,
                                    const custody::PendingAmendment& amendment);
// The (object key, retain_until) pairs of an amendment's retain changes.
std::vector<std::pair<std::string, std::string>> retention_changes(const std::string& amendment);

}  // namespace dockd::upload
