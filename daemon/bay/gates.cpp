#include "daemon/bay/gates.hpp"

#include <climits>
#include <cstdio>
#include <cstdlib>

namespace dockd::bay {
namespace {

std::string percent(int p) {
    return std::to_string(p) + " %";
}

std::string hours_text(std::chrono::milliseconds d) {
    const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(d).count();
    return minutes >= 120 ? std::to_string(minutes / 60) + " h" : std::to_string(minutes) + " min";
}

std::string gib_text(std::uint64_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f GiB", static_cast<double>(bytes) / static_cast<double>(1ull << 30));
    return buf;
}

bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

std::string_view next_part(std::string_view& rest) {
    const auto dot = rest.find('.');
    const auto part = rest.substr(0, dot);
    rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
    return part;
}

}  // namespace

Gate charge_gate(std::optional<int> battery, std::chrono::milliseconds on_power, const config::ChargeConfig& c) {
    if (battery) {
        const bool met = *battery >= c.ready_percent;
        return {"charge", met, "battery " + percent(*battery) + (met ? " ≥ " : " < ") + percent(c.ready_percent)};
    }
    const bool met = on_power >= c.unknown_battery_hold;
    return {"charge", met,
            "battery unknown: " + hours_text(on_power) + " on power" + (met ? " ≥ " : " of ") +
                hours_text(c.unknown_battery_hold) + " (charge.unknown_battery_hold)"};
}

Gate storage_gate(std::optional<std::uint64_t> free_bytes, std::uint64_t min_free_bytes) {
    if (!free_bytes) return {"storage", false, "free storage unknown"};
    const bool met = *free_bytes >= min_free_bytes;
    return {"storage", met, gib_text(*free_bytes) + " free" + (met ? " ≥ " : " < ") + gib_text(min_free_bytes)};
}

Gate firmware_gate(const config::ChecksConfig& checks, const std::string& model,
                   const std::optional<std::string>& firmware) {
    const config::FirmwareRule* rule = nullptr;
    for (const auto& r : checks.firmware)
        if (r.model == model) rule = &r;
    const std::string shown = firmware ? *firmware : "unknown";
    if (!rule) return {"firmware", true, "firmware " + shown + " (no rule for model " + model + ")"};
    if (!firmware) return {"firmware", false, "firmware unknown; checks.firmware has a rule for model " + model};
    if (!rule->allowed.empty()) {
        for (const auto& v : rule->allowed)
            if (v == *firmware) return {"firmware", true, "firmware " + shown + " is allowed"};
        return {"firmware", false, "firmware " + shown + " is not in checks.firmware's list for " + model};
    }
    const bool met = compare_versions(*firmware, *rule->min_version) >= 0;
    return {"firmware", met, "firmware " + shown + (met ? " ≥ " : " < ") + *rule->min_version};
}

int compare_versions(std::string_view a, std::string_view b) {
    while (!a.empty() || !b.empty()) {
        const auto pa = next_part(a), pb = next_part(b);
        if (all_digits(pa) && all_digits(pb)) {
            // As numbers of any length: without leading zeros, longer is larger.
            const auto x = pa.substr(std::min(pa.find_first_not_of('0'), pa.size()));
            const auto y = pb.substr(std::min(pb.find_first_not_of('0'), pb.size()));
            if (x.size() != y.size()) return x.size() < y.size() ? -1 : 1;
            if (const int c = x.compare(y); c != 0) return c < 0 ? -1 : 1;
        } else if (const int c = pa.compare(pb); c != 0) {
            return c < 0 ? -1 : 1;
        }
    }
    return 0;
}

bool plausible_time(MillisTime t) {
    const auto year = utc_year(t);
    return year >= 2000 && year <= 2099;
}

custody::ClockMeasurement measure_clock(std::optional<MillisTime> device, MillisTime station,
                                        std::chrono::milliseconds max_plausible_offset, bool host_synced) {
    custody::ClockMeasurement m;
    m.station_time = rfc3339(station).value_or("");
    m.host_synced = host_synced;
    if (!device) return m;
    m.device_time = rfc3339(*device);
    m.offset_ms = checked_sub(to_unix_ms(*device), to_unix_ms(station));
    m.plausible = m.offset_ms && *m.offset_ms > INT64_MIN && plausible_time(*device) &&
                  std::llabs(*m.offset_ms) <= max_plausible_offset.count();
    return m;
}

std::optional<std::int64_t> applied_offset(const custody::ClockMeasurement& m) {
    if (!m.offset_ms || !m.plausible) return std::nullopt;
    return m.offset_ms;
}

std::optional<MillisTime> corrected_time(MillisTime device_time, std::optional<std::int64_t> offset_ms) {
    if (!offset_ms) return device_time;
    const auto ms = checked_sub(to_unix_ms(device_time), *offset_ms);
    if (!ms) return std::nullopt;
    return millis_time(*ms);
}

MillisTime filing_time(std::optional<MillisTime> recorded_at, MillisTime ingested_at) {
    return recorded_at && plausible_time(*recorded_at) ? *recorded_at : ingested_at;
}

}  // namespace dockd::bay
