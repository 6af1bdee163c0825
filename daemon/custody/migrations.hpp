#pragma once

#include "daemon/custody/sqlite.hpp"

namespace dockd::custody {

// Number of the newest schema this build knows.
int latest_schema_version();
// Brings the database from its PRAGMA user_version up to latest, one numbered
// step per transaction. Refuses a database newer than this build.
Result<void> migrate(Database& db);

}  // namespace dockd::custody
