#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace dockd {
std::string to_hex(std::span<const std::byte> bytes);
std::string to_hex(std::span<const unsigned char> bytes);
std::string to_hex(std::string_view bytes);
// Inverse of to_hex; nullopt on odd length or a non-hex digit.
std::optional<std::string> from_hex(std::string_view hex);
}  // namespace dockd
