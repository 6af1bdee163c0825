#include "daemon/station/reconfigure.hpp"

#include <functional>
#include <sstream>

#include "daemon/common/log.hpp"
#include "daemon/station/station.hpp"
#include "drivers/sim/bay_watcher.hpp"

namespace dockd::station {
namespace {

// Everything a ums or sdk driver entry says, in order: any difference needs a restart.
std::string usb_drivers(const config::Config& c) {
    std::ostringstream out;
    for (const auto& d : c.drivers) {
        if (d.type == config::DriverType::sim) continue;
        out << config::to_string(d.type) << '|' << d.time_file << '|' << d.time_format << '|' << d.library << '|'
            << config::to_string(d.zfy_layout) << '|' << d.password_file << '|' << d.call_timeout.count() << '|'
            << d.write_officer;
        for (const auto& m : d.match) out << '|' << m.vid << ':' << m.pid;
        out << '\n';
    }
    return out.str();
}

std::string ports(const config::Config& c) {
    std::ostringstream out;
    for (const auto& p : c.ports) out << p.id << '=' << p.usb_path << '\n';
    return out.str();
}

}  // namespace

std::vector<config::ConfigError> restart_only_changes(const config::Config& old, const config::Config& next) {
    std::vector<config::ConfigError> errors;
    auto check = [&](const char* key, const std::function<std::string(const config::Config&)>& value, const char* why) {
        if (value(old) == value(next)) return;
        errors.push_back({next.source.string(), next.line_of(key),
                          std::string(key) + " changed (" + why +
                              "): it needs a restart (systemctl restart dockd); nothing was reloaded"});
    };
    check(
        "station.id", [](const auto& c) { return c.station.id; }, "the archive's station directory");
    check(
        "station.data_dir", [](const auto& c) { return c.station.data_dir.string(); }, "the open custody store");
    check(
        "station.staging_dir", [](const auto& c) { return c.station.staging_dir.string(); }, "staged files");
    check(
        "station.media_dir", [](const auto& c) { return c.station.media_dir.string(); }, "mounted recorders");
    check(
        "api.listen", [](const auto& c) { return c.api.listen; }, "the listening socket");
    check(
        "ingest.workers", [](const auto& c) { return std::to_string(c.ingest.workers); }, "the worker pool");
    check(
        "charge.max_concurrent_charging",
        [](const auto& c) { return std::to_string(c.charge.max_concurrent_charging); },
        "hub power is planned at start");
    check(
        "charge.power_on_stagger", [](const auto& c) { return std::to_string(c.charge.power_on_stagger.count()); },
        "hub power is planned at start");
    check(
        "charge.power_cycle_after_failed_commands",
        [](const auto& c) { return std::to_string(c.charge.power_cycle_after_failed_commands); },
        "the USB driver's setting");
    check("drivers", usb_drivers, "ums and sdk drivers are started with the station");
    // Sim bays come and go live; USB bays are bound to hub ports when the USB driver starts.
    if (!usb_drivers(old).empty() || !usb_drivers(next).empty())
        check("ports", ports, "bays on USB hub ports are bound at start");
    return errors;
}

BayChanges diff_bays(const config::Config& old, const config::Config& next) {
    std::set<int> before, after;
    for (const auto& p : old.ports) before.insert(p.id);
    for (const auto& p : next.ports) after.insert(p.id);
    BayChanges out;
    for (int id : after)
        if (!before.count(id)) out.added.insert(id);
    for (int id : before)
        if (!after.count(id)) out.removed.insert(id);
    return out;
}

Result<upload::Uploader::TargetList> build_targets(const upload::Uploader::TargetList& current,
                                                   const config::Config& next) {
    const auto options = archive::target_options(next.upload);  // one bandwidth cap for all targets
    upload::Uploader::TargetList out;
    for (const auto& t : next.upload.targets) {
        std::shared_ptr<archive::Target> in_use;
        for (const auto& c : current)
            if (c->url() == t.url) in_use = c;
        if (in_use && t.kind == config::TargetKind::file) {
            out.push_back(in_use);
            continue;
        }
        const auto where = next.source.string() + ":" + std::to_string(t.line) + ": " + t.url;
        auto made = archive::make_target(t, next.station.id, options);
        if (!made) return made.error().context(where);
        // Sweeping a target in use would remove its uploads' partial files.
        if (!in_use)
            if (auto r = (*made)->recover(); !r) return r.error().context(where);
        out.push_back(std::move(*made));
    }
    return out;
}

// All checks first: nothing changes unless the whole configuration applies.
Result<void> Station::reload(config::Config next, const std::string& config_sha256) {
    const config::Config& old = cfg_.get();  // stays allocated after replace()
    if (const auto errors = restart_only_changes(old, next); !errors.empty()) {
        std::string text;
        for (const auto& e : errors) text += (text.empty() ? "" : "\n") + e.str();
        return Error{text};
    }
    auto targets = build_targets(*uploader_->targets(), next);
    if (!targets) return targets.error();
    const auto bays = diff_bays(old, next);
    cfg_.replace(std::move(next));
    uploader_->reconfigure(std::move(*targets));
    for (int id : bays.added)
        if (!retiring_.erase(id)) bays_.emplace(id, std::make_unique<bay::Bay>(id, *context_));
    for (int id : bays.removed) retiring_.insert(id);
    sync_sim_sources();
    retire_idle();
    audit_config(config_sha256, "reload");
    log::info("configuration reloaded from " + cfg_->source.string() + ": " + std::to_string(bays.added.size()) +
              " bay(s) added, " + std::to_string(bays.removed.size()) + " removed (each once its docking is over), " +
              std::to_string(uploader_->target_urls().size()) + " upload target(s)");
    return {};
}

// A sim source whose driver was removed keeps watching the bays still busy
// (so their recorders' removal ends their dockings) and goes once none is.
void Station::sync_sim_sources() {
    std::set<std::filesystem::path> dirs;
    for (const auto& d : cfg_->drivers)
        if (d.type == config::DriverType::sim) dirs.insert(d.bays_dir);
    std::set<int> watched, busy;
    for (const auto& [id, b] : bays_) {
        watched.insert(id);  // configured and retiring
        if (!b->idle()) busy.insert(id);
    }
    for (auto it = sim_sources_.begin(); it != sim_sources_.end();) {
        const bool configured = dirs.count(it->first) != 0;
        if (!configured && busy.empty()) {
            it->second->stop();
            it = sim_sources_.erase(it);
            continue;
        }
        it->second->set_bays(configured ? watched : busy);
        ++it;
    }
    for (const auto& dir : dirs) {
        if (sim_sources_.count(dir)) continue;
        auto source = std::make_unique<drivers::sim::SimDockSource>(io_, dir, watched);
        source->start({[this](int bay, std::shared_ptr<drivers::Recorder> r) { on_arrival(bay, std::move(r)); },
                       [this](int bay) {
                           if (auto it = bays_.find(bay); it != bays_.end()) it->second->left();
                       }});
        sim_sources_.emplace(dir, std::move(source));
    }
}

void Station::retire_idle() {
    bool changed = false;
    for (auto it = retiring_.begin(); it != retiring_.end();) {
        const auto b = bays_.find(*it);
        if (b != bays_.end() && !b->second->idle()) {
            ++it;
            continue;
        }
        if (b != bays_.end()) bays_.erase(b);
        log::info("bay " + std::to_string(*it) + " retired: removed from the configuration, its docking is over");
        it = retiring_.erase(it);
        changed = true;
    }
    for (const auto& [dir, source] : sim_sources_) {
        bool configured = false;
        for (const auto& d : cfg_->drivers) configured = configured || d.bays_dir == dir;
        changed = changed || !configured;  // a removed driver's source waits for its bays
    }
    if (changed) sync_sim_sources();
}

}  // namespace dockd::station
