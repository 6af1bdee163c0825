// charge, clock and ingest: how bays are charged, clocked and copied (retention.cpp: how long kept).
#include <cctype>
#include <climits>
#include <cstdint>

#include "daemon/config/reader.hpp"

namespace dockd::config::detail {

void read_charge(Section& root, ChargeConfig& out) {
    Section s(root.ctx(), root.get("charge"), "charge",
              {"ready_percent", "max_concurrent_charging", "power_on_stagger", "power_cycle_after_failed_commands",
               "unknown_battery_hold", "stall_power_cycle_after"},
              root.line("charge"));
    s.integer("ready_percent", out.ready_percent, 1, 100);
    s.integer("max_concurrent_charging", out.max_concurrent_charging, 1, INT_MAX);
    s.duration("power_on_stagger", out.power_on_stagger);
    s.integer("power_cycle_after_failed_commands", out.power_cycle_after_failed_commands, 0, 100);
    s.duration("unknown_battery_hold", out.unknown_battery_hold);
    s.duration("stall_power_cycle_after", out.stall_power_cycle_after, Millis(1000));
}

void read_clock(Section& root, ClockConfig& out) {
    Section s(root.ctx(), root.get("clock"), "clock",
              {"max_drift", "set_device_clock", "require_synced_host_clock", "max_plausible_offset"},
              root.line("clock"));
    s.duration("max_drift", out.max_drift);
    s.boolean("set_device_clock", out.set_device_clock);
    s.boolean("require_synced_host_clock", out.require_synced_host_clock);
    s.duration("max_plausible_offset", out.max_plausible_offset, Millis(1000));
    if (out.max_plausible_offset < out.max_drift)
        root.ctx().error(s.line("max_plausible_offset"),
                         "clock.max_plausible_offset must not be less than clock.max_drift");
}

void read_ingest(Section& root, IngestConfig& out) {
    Context& ctx = root.ctx();
    Section s(ctx, root.get("ingest"), "ingest",
              {"verify", "wipe_after", "min_free_bytes", "extensions", "buffer_bytes", "workers"}, root.line("ingest"));
    s.enumeration<Verify>("verify", out.verify, {{"reread", Verify::reread}, {"none", Verify::none}});
    s.enumeration<WipeAfter>(
        "wipe_after", out.wipe_after,
        {{"never", WipeAfter::never}, {"staged", WipeAfter::staged}, {"archived", WipeAfter::archived}});
    s.size("min_free_bytes", out.min_free_bytes, 0, UINT64_MAX);
    s.size("buffer_bytes", out.buffer_bytes, 4ull << 10, 64ull << 20);
    s.integer("workers", out.workers, 1, 64);

    if (!s.has("extensions")) return;
    YAML::Node list = s.get("extensions");
    std::vector<YAML::Node> items = s.sequence("extensions");
    if (!list.IsSequence()) return;  // null or reported by sequence()
    if (items.empty()) {
        ctx.error(list, "ingest.extensions: must list at least one extension");
        return;
    }
    std::vector<std::string> extensions;
    for (const YAML::Node& item : items) {
        if (!item.IsScalar()) {
            ctx.error(item, "ingest.extensions: expected a file extension such as mp4");
            continue;
        }
        std::string ext = item.Scalar();
        if (ext.starts_with('.')) ext.erase(0, 1);
        bool ok = !ext.empty();
        for (char& c : ext) {
            ok = ok && std::isalnum(static_cast<unsigned char>(c));
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        if (!ok) {
            ctx.error(item, "ingest.extensions: '" + item.Scalar() + "' is not a file extension such as mp4");
            continue;
        }
        extensions.push_back(std::move(ext));
    }
    out.extensions = std::move(extensions);
}

}  // namespace dockd::config::detail
