// Column lists matching Store::read_file_row / read_docking_row, shared by
// the store's files. The docking list is qualified for joins ("d.").
#pragma once

namespace dockd::custody {
inline constexpr const char* file_columns =
    "id, docking_id, serial, device_path, size, device_mtime_ms, state, reason, sha256, staging_name, "
    "object_key, recorded_at_device, recorded_at, ingested_at, verified_at, wiped_at, archived_at, "
    "purged_at, retention, important, retain_class, described_at, media_integrity, media_container, "
    "media_duration_ms, media_video_codec, media_width, media_height, media_audio_codec, media_created_at, "
    "media_detail";
inline constexpr const char* docking_columns =
    "d.id, d.bay, d.serial, d.officer_no, d.docked_at, d.undocked_at, d.close_reason, d.offload_done_at, "
    "d.battery_in, d.battery_out, d.clock_offset_ms, d.device_time, d.station_time, d.fault, "
    "d.firmware, d.device_officer_no, d.clock_set, d.ready_rule, d.storage_total, d.storage_free, "
    "d.clock_measured, d.clock_plausible, d.host_synced";
inline constexpr int docking_column_count = 23;
}  // namespace dockd::custody
