#pragma once

#include "daemon/custody/sqlite.hpp"

namespace dockd::custody {

// Number of the newest schema this build knows.
int latest_schema_version();
// Brings the database from its PRAGMA user_version up to `up_to` (tests stop
// earlier to build an older schema), one numbered step per transaction.
// Refuses a database newer than this build.
Result<void> migrate(Database& db, int up_to = latest_schema_version());

}  // namespace dockd::custody
