#pragma once

#include "daemon/custody/sqlite.hpp"

namespace dockd::custody {

// Number of the newest schema this build knows.
int latest_schema_version();
// Brings the database from its PRAGMA user_version up to latest (or up to
// `up_to`, for tests that build an older station's schema), one numbered
// step per transaction. Refuses a database newer than this build.
Result<void> migrate(Database& db, int up_to = latest_schema_version());

}  // namespace dockd::custody
