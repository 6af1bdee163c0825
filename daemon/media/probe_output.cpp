#include "daemon/media/probe_output.hpp"

#include <charconv>

namespace dockd::media {
namespace {

constexpr std::size_t max_value_bytes = 200;

// One line per value: control bytes (a crafted tag with a newline) are dropped.
std::string clean(std::string_view v) {
    std::string out;
    for (char c : v.substr(0, max_value_bytes))
        if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) out += c;
    return out;
}

void put(std::string& out, const char* key, const std::optional<std::string>& v) {
    if (v) out += std::string(key) + "=" + clean(*v) + "\n";
}

void put(std::string& out, const char* key, const std::optional<std::int64_t>& v) {
    if (v) out += std::string(key) + "=" + std::to_string(*v) + "\n";
}

std::optional<std::int64_t> number(std::string_view v) {
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || end != v.data() + v.size() || n < 0) return std::nullopt;
    return n;
}

bool known_integrity(std::string_view v) {
    return v == "ok" || v == "truncated" || v == "unreadable" || v == "not_media";
}

}  // namespace

std::string format_facts(const MediaFacts& f) {
    std::string out;
    put(out, "container", f.container);
    put(out, "duration_ms", f.duration_ms);
    put(out, "video_codec", f.video_codec);
    put(out, "width", f.width);
    put(out, "height", f.height);
    put(out, "audio_codec", f.audio_codec);
    put(out, "created_at", f.created_at);
    if (!f.detail.empty()) out += "detail=" + clean(f.detail) + "\n";
    out += "integrity=" + f.integrity + "\n";  // last: a cut answer has none
    return out;
}

MediaFacts parse_facts(std::string_view text) {
    MediaFacts f;
    bool answered = false;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        if (nl == std::string_view::npos) break;  // an unterminated last line is cut: ignored
        const std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl + 1);
        const auto eq = line.find('=');
        if (eq == std::string_view::npos) continue;
        const auto key = line.substr(0, eq);
        const auto value = line.substr(eq + 1);
        const auto text_value = value.empty() ? std::nullopt : std::optional<std::string>(clean(value));
        if (key == "container")
            f.container = text_value;
        else if (key == "duration_ms")
            f.duration_ms = number(value);
        else if (key == "video_codec")
            f.video_codec = text_value;
        else if (key == "width")
            f.width = number(value);
        else if (key == "height")
            f.height = number(value);
        else if (key == "audio_codec")
            f.audio_codec = text_value;
        else if (key == "created_at")
            f.created_at = text_value;
        else if (key == "detail")
            f.detail = clean(value);
        else if (key == "integrity" && known_integrity(value)) {
            f.integrity = std::string(value);
            answered = true;
        }
    }
    if (!answered) {
        MediaFacts none;
        none.detail = "probe helper gave no answer";
        return none;
    }
    return f;
}

}  // namespace dockd::media
