// Words people read about media facts: the bay's note and the station alert.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dockd::media {

// "battery 3 % at docking", or "battery unknown at docking" (DESIGN §12).
std::string battery_words(std::optional<std::int64_t> battery_percent);
// "recording ended abnormally: DCIM/a.mp4 (battery 3 % at docking)"
std::string truncated_note(const std::vector<std::string>& device_paths, std::optional<std::int64_t> battery_percent);

}  // namespace dockd::media
