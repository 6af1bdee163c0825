#pragma once

#include <cstddef>
#include <span>
#include <string>

namespace dockd {
std::string to_hex(std::span<const std::byte> bytes);
std::string to_hex(std::span<const unsigned char> bytes);
}  // namespace dockd
