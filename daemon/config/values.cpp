// Scalar value syntaxes shared by the config file and the command line:
// sizes, durations, daily time windows, and enum names.
#include <charconv>
#include <limits>

#include "daemon/config/config.hpp"

namespace dockd::config {
namespace {

bool is_blank(char c) {
    return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
    return s;
}

// Leading decimal digits of s as a number, consuming them; nullopt if none or overflow.
std::optional<std::uint64_t> take_number(std::string_view& s) {
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc{} || end == s.data()) return std::nullopt;
    s.remove_prefix(static_cast<std::size_t>(end - s.data()));
    return value;
}

std::optional<std::uint64_t> checked_mul(std::uint64_t a, std::uint64_t b) {
    if (b != 0 && a > std::numeric_limits<std::uint64_t>::max() / b) return std::nullopt;
    return a * b;
}

}  // namespace

std::optional<std::uint64_t> parse_size(std::string_view text) {
    std::string_view s = trim(text);
    if (s.empty() || s.front() == '+') return std::nullopt;
    auto number = take_number(s);
    if (!number) return std::nullopt;
    std::string_view unit = trim(s);
    struct Unit {
        std::string_view name;
        std::uint64_t factor;
    };
    static constexpr Unit units[] = {
        {"", 1},
        {"B", 1},
        {"KB", 1000ull},
        {"MB", 1000ull * 1000},
        {"GB", 1000ull * 1000 * 1000},
        {"TB", 1000ull * 1000 * 1000 * 1000},
        {"KiB", 1ull << 10},
        {"MiB", 1ull << 20},
        {"GiB", 1ull << 30},
        {"TiB", 1ull << 40},
    };
    for (const Unit& u : units) {
        if (unit == u.name) return checked_mul(*number, u.factor);
    }
    return std::nullopt;
}

std::optional<Millis> parse_duration(std::string_view text) {
    std::string_view s = trim(text);
    if (s.empty()) return std::nullopt;
    std::uint64_t total_ms = 0;
    while (!s.empty()) {
        auto number = take_number(s);
        if (!number) return std::nullopt;
        std::uint64_t factor = 0;
        // "ms" before "m": the longest unit name wins.
        if (s.starts_with("ms")) {
            factor = 1;
            s.remove_prefix(2);
        } else if (!s.empty()) {
            switch (s.front()) {
                case 's':
                    factor = 1000;
                    break;
                case 'm':
                    factor = 60'000;
                    break;
                case 'h':
                    factor = 3'600'000;
                    break;
                case 'd':
                    factor = 86'400'000;
                    break;
                default:
                    return std::nullopt;
            }
            s.remove_prefix(1);
        } else {
            return std::nullopt;  // bare number: unit unknown
        }
        auto part = checked_mul(*number, factor);
        if (!part || *part > std::numeric_limits<std::int64_t>::max() - total_ms) return std::nullopt;
        total_ms += *part;
    }
    return Millis(static_cast<std::int64_t>(total_ms));
}

namespace {

// "H:MM" or "HH:MM" -> minutes; allow_24 admits "24:00".
std::optional<int> parse_clock(std::string_view s, bool allow_24) {
    auto colon = s.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 2 || s.size() != colon + 3) return std::nullopt;
    std::string_view hh = s.substr(0, colon), mm = s.substr(colon + 1);
    int hours = 0, minutes = 0;
    auto h = std::from_chars(hh.data(), hh.data() + hh.size(), hours);
    auto m = std::from_chars(mm.data(), mm.data() + mm.size(), minutes);
    if (h.ec != std::errc{} || h.ptr != hh.data() + hh.size()) return std::nullopt;
    if (m.ec != std::errc{} || m.ptr != mm.data() + mm.size()) return std::nullopt;
    if (minutes > 59) return std::nullopt;
    if (hours == 24 && minutes == 0 && allow_24) return 24 * 60;
    if (hours > 23) return std::nullopt;
    return hours * 60 + minutes;
}

}  // namespace

std::optional<TimeWindow> parse_window(std::string_view text) {
    std::string_view s = trim(text);
    auto dash = s.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    auto start = parse_clock(trim(s.substr(0, dash)), false);
    auto end = parse_clock(trim(s.substr(dash + 1)), true);
    if (!start || !end || *start == *end) return std::nullopt;
    return TimeWindow{*start, *end};
}

bool window_contains(const std::vector<TimeWindow>& windows, int minute_of_day) {
    if (windows.empty()) return true;
    for (const TimeWindow& w : windows) {
        bool inside = w.start_minute < w.end_minute ? minute_of_day >= w.start_minute && minute_of_day < w.end_minute
                                                    : minute_of_day >= w.start_minute || minute_of_day < w.end_minute;
        if (inside) return true;
    }
    return false;
}

const char* to_string(DriverType type) {
    switch (type) {
        case DriverType::ums:
            return "ums";
        case DriverType::sdk:
            return "sdk";
        case DriverType::sim:
            return "sim";
    }
    return "?";
}

const char* to_string(ZfyLayout layout) {
    switch (layout) {
        case ZfyLayout::packed89:
            return "packed89";
        case ZfyLayout::nul94:
            return "nul94";
    }
    return "?";
}

const char* to_string(Verify verify) {
    switch (verify) {
        case Verify::reread:
            return "reread";
        case Verify::none:
            return "none";
    }
    return "?";
}

const char* to_string(WipeAfter wipe_after) {
    switch (wipe_after) {
        case WipeAfter::never:
            return "never";
        case WipeAfter::staged:
            return "staged";
        case WipeAfter::archived:
            return "archived";
    }
    return "?";
}

const char* to_string(TargetKind kind) {
    switch (kind) {
        case TargetKind::file:
            return "file";
        case TargetKind::s3:
            return "s3";
    }
    return "?";
}

std::string ConfigError::str() const {
    return file + ":" + std::to_string(line) + ": " + message;
}

}  // namespace dockd::config
