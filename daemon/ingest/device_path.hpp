// Recorder file names are untrusted input: a name that could escape staging
// or the archive prefix is refused for that file, with a reason on record.
#pragma once

#include <string>
#include <string_view>

#include "daemon/common/result.hpp"

namespace dockd::ingest {

inline constexpr std::size_t max_device_path_bytes = 1024;
inline constexpr std::size_t max_component_bytes = 255;

// Ok when the '/'-separated relative path is safe to store and publish:
// relative, no "." / ".." / empty components, no control bytes or backslash,
// valid UTF-8, bounded length.
Result<void> check_device_path(std::string_view path);

// A bounded, escaped rendering of an untrusted name for logs and the store:
// control and non-UTF-8 bytes as \xNN, cut at 512 bytes with the real length.
std::string printable_path(std::string_view path);

// Identifiers from the device (serial) become archive path components.
Result<void> check_serial(std::string_view serial);

}  // namespace dockd::ingest
