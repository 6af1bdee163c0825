#include "daemon/media/notes.hpp"

namespace dockd::media {

std::string battery_words(std::optional<std::int64_t> battery_percent) {
    return battery_percent ? "battery " + std::to_string(*battery_percent) + " % at docking"
                           : "battery unknown at docking";
}

std::string truncated_note(const std::vector<std::string>& device_paths, std::optional<std::int64_t> battery_percent) {
    constexpr std::size_t named = 3;  // a bay card has room for a few names
    std::string files;
    for (std::size_t i = 0; i < device_paths.size() && i < named; ++i) files += (i ? ", " : "") + device_paths[i];
    if (device_paths.size() > named) files += " and " + std::to_string(device_paths.size() - named) + " more";
    return "recording ended abnormally: " + files + " (" + battery_words(battery_percent) + ")";
}

}  // namespace dockd::media
