// The copy of one group of a recorder's files to staging, run on a pool
// thread (DESIGN §3). Small files are written, made durable and committed
// together (one directory fsync, one SQLite transaction for the group); a
// large file goes alone, read ahead on a second thread, written behind.
// Custody of a file passes to the station at the store commit, never before.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "daemon/bay/context.hpp"
#include "drivers/recorder.hpp"

namespace dockd::bay {

struct CopyJob {
    StationContext& ctx;
    drivers::Recorder& recorder;
    std::string docking_id, serial;
    std::optional<std::int64_t> offset_applied_ms;  // corrects recorded_at when set
    const std::atomic<bool>& cancelled;
    std::atomic<std::uint64_t>& bytes_done;  // progress, shown while copying
    std::atomic<std::uint64_t>& files_done;  // files copied (committed or not yet)
};

enum class Outcome { staged, already_staged, refused_before, failed, disk_low };

struct FileResult {
    Outcome outcome = Outcome::failed;
    std::optional<std::int64_t> file_id;
    std::string error;
};

// Where the group starting at `first` ends: a run of small files bounded in
// count and bytes, or one large file.
std::size_t group_end(std::span<const drivers::MediaEntry> entries, std::size_t first);

// Copies entries[first, end) (indices name the staging files of the
// docking). One result per entry tried, in order: a group may end early
// (a slow recorder: commit at least every second), and a disk_low result is
// the last (not committed; the entries after it are not tried). A listed
// file that could not be copied gets its `failed` row (issue 9).
std::vector<FileResult> copy_group(const CopyJob& job, std::span<const drivers::MediaEntry> entries, std::size_t first,
                                   std::size_t end, std::span<std::byte> buffer);

}  // namespace dockd::bay
