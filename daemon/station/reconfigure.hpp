// Reload (SIGHUP, `systemctl reload dockd`): what a new configuration changes
// compared with the one in force, decided before anything is touched, so a
// reload is applied whole or refused whole. Applying it is Station::reload
// (reconfigure.cpp): bays added start at once, bays removed finish their
// docking first, upload targets and limits apply to the next upload.
#pragma once

#include <set>
#include <vector>

#include "daemon/config/config.hpp"
#include "daemon/upload/uploader.hpp"

namespace dockd::station {

// Keys that take effect only at a restart and differ in `next`: one
// "FILE:LINE: key ..." error each, at the key's line in the new file.
// Station identity and paths, the API socket, the pool size, hub power
// planning, and everything a USB driver was started with (DESIGN §6).
std::vector<config::ConfigError> restart_only_changes(const config::Config& old, const config::Config& next);

struct BayChanges {
    std::set<int> added, removed;
};
BayChanges diff_bays(const config::Config& old, const config::Config& next);

// The target objects for `next`: a file:// target already in use is kept
// (its uploads in flight go on); s3:// ones are made again so a changed
// endpoint or credentials file takes effect; a new one is recovered first.
Result<upload::Uploader::TargetList> build_targets(const upload::Uploader::TargetList& current,
                                                   const config::Config& next);

}  // namespace dockd::station
