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

// Regular files and symlinks (is_symlink, not descended) under root, sorted
// by device_path; other file types are skipped.
Result<std::vector<MediaEntry>> list_tree(int root_fd);

// Opens a regular file read-only; ELOOP/ENOTDIR when any component is a symlink.
Result<UniqueFd> open_beneath(int root_fd, std::string_view rel_path);

// Unlinks the last component (a symlink itself is removed, never followed).
Result<void> unlink_beneath(int root_fd, std::string_view rel_path);

}  // namespace dockd::drivers::sim
