// The recorder's storage root DIR/N/media, walked one component at a time
// with O_NOFOLLOW: a symlink anywhere below media/ is reported, never followed.
#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

#include "daemon/common/fs.hpp"
#include "daemon/common/result.hpp"
#include "drivers/recorder.hpp"

namespace dockd::drivers::sim {

Result<UniqueFd> open_media_root(const std::filesystem::path& bay_dir);

// Limits of one listing: a branch beyond them is reported as one entry of
// kind `branch` (with the reason) and the rest of the tree is still listed.
struct ListLimits {
    int max_depth = 64;
    std::size_t max_entries_per_directory = 100'000;
    std::size_t max_entries = 1'000'000;
};

// Every entry under root, sorted by device_path: regular files, symlinks
// (not followed), directories (and their contents), FIFOs, sockets and
// devices (kind `special`), and branches not walked (kind `branch`). Only an
// unreadable root is an error.
Result<std::vector<MediaEntry>> list_tree(int root_fd, const ListLimits& limits = {});

// Opens a regular file read-only; ELOOP/ENOTDIR when any component is a symlink.
Result<UniqueFd> open_beneath(int root_fd, std::string_view rel_path);

// Unlinks the last component (a symlink itself is removed, never followed).
Result<void> unlink_beneath(int root_fd, std::string_view rel_path);

}  // namespace dockd::drivers::sim
