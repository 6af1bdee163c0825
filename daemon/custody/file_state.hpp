// Where a file stands in custody, and the one rule for which files count.
#pragma once

#include <optional>
#include <string_view>

namespace dockd::custody {

// staged: a verified copy in staging, custody passed; archived: on every
// target it must reach; refused, failed: listed on the recorder, never
// copied (the reason is on the row); lost: its staged copy vanished (a crash
// before the copy was durable).
enum class FileState { staged, archived, refused, failed, lost };

const char* to_string(FileState s);
std::optional<FileState> file_state_from(std::string_view text);

// The counting rule: a file counts (ledger, totals, statistics, manifests,
// metrics) while the station holds a good copy of it, staged or archived.
constexpr bool counted(FileState s) {
    return s == FileState::staged || s == FileState::archived;
}
// The same rule for SQL, spliced into the query text at compile time:
// "... WHERE " DOCKD_SQL_COUNTED("f") " AND ...". Every query states it so;
// migrations spell it out, since a migration never changes once shipped.
#define DOCKD_SQL_COUNTED(alias) alias ".state IN ('staged','archived')"

}  // namespace dockd::custody
