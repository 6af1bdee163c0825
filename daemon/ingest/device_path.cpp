#include "daemon/ingest/device_path.hpp"

#include <cstdio>

#include "daemon/common/utf8.hpp"

namespace dockd::ingest {

Result<void> check_device_path(std::string_view path) {
    if (path.empty()) return Error{"empty name"};
    if (path.size() > max_device_path_bytes)
        return Error{"name is " + std::to_string(path.size()) + " bytes; limit " +
                     std::to_string(max_device_path_bytes)};
    if (path.front() == '/') return Error{"absolute path"};
    for (std::size_t i = 0; i < path.size();) {
        const auto c = static_cast<unsigned char>(path[i]);
        if (c == 0) return Error{"NUL byte in name"};
        if (c < 0x20 || c == 0x7F) return Error{"control byte in name"};
        if (c == '\\') return Error{"backslash in name"};
        const std::size_t n = utf8_sequence(path, i);
        if (n == 0) return Error{"name is not valid UTF-8"};
        i += n;
    }
    std::size_t start = 0;
    while (start <= path.size()) {
        const std::size_t end = std::min(path.find('/', start), path.size());
        const std::string_view part = path.substr(start, end - start);
        if (part.empty()) return Error{"empty path component"};
        if (part == "." || part == "..") return Error{"'" + std::string(part) + "' path component"};
        if (part.size() > max_component_bytes) return Error{"path component longer than 255 bytes"};
        start = end + 1;
    }
    return {};
}

std::string printable_path(std::string_view path) {
    constexpr std::size_t shown = 512;
    std::string out;
    std::size_t i = 0;
    while (i < path.size() && out.size() < shown) {
        const auto c = static_cast<unsigned char>(path[i]);
        const std::size_t n = (c >= 0x20 && c != 0x7F && c != '\\') ? utf8_sequence(path, i) : 0;
        if (n == 0) {
            char esc[8];
            std::snprintf(esc, sizeof esc, "\\x%02X", c);
            out += esc;
            ++i;
        } else {
            out.append(path.substr(i, n));
            i += n;
        }
    }
    if (i < path.size()) out += "...(" + std::to_string(path.size()) + " bytes)";
    return out;
}

Result<void> check_serial(std::string_view serial) {
    if (serial.empty() || serial.size() > 64) return Error{"serial must be 1-64 characters"};
    for (char c : serial) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '_' || c == '.';
        if (!ok) return Error{"serial '" + printable_path(serial) + "' has characters outside [A-Za-z0-9._-]"};
    }
    if (serial == "." || serial == "..") return Error{"serial '" + std::string(serial) + "' is not a name"};
    return {};
}

}  // namespace dockd::ingest
