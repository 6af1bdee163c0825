#include "daemon/ingest/device_path.hpp"

#include <cstdio>

namespace dockd::ingest {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when invalid
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) return 1;
    std::size_t len = 0;
    unsigned cp = 0;
    if ((c & 0xE0) == 0xC0)
        len = 2, cp = c & 0x1F;
    else if ((c & 0xF0) == 0xE0)
        len = 3, cp = c & 0x0F;
    else if ((c & 0xF8) == 0xF0)
        len = 4, cp = c & 0x07;
    else
        return 0;
    if (i + len > s.size()) return 0;
    for (std::size_t k = 1; k < len; ++k) {
        const auto cc = static_cast<unsigned char>(s[i + k]);
        if ((cc & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr unsigned min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

}  // namespace

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
