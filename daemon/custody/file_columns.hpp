// Column list matching Store::read_file_row, shared by the store's files.
#pragma once

namespace dockd::custody {
inline constexpr const char* file_columns =
    "id, docking_id, serial, device_path, size, device_mtime_ms, state, reason, sha256, staging_name, "
    "object_key, recorded_at_device, recorded_at, ingested_at, verified_at, wiped_at, archived_at, "
    "purged_at, retention, important";
}
