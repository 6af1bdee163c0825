#include "daemon/station/station.hpp"

#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <set>

#include "daemon/common/blocking.hpp"
#include "daemon/common/fs.hpp"
#include "daemon/common/log.hpp"
#include "daemon/common/time.hpp"
#include "daemon/crypto/sha256.hpp"
#include "daemon/station/driver_options.hpp"
#include "daemon/station/host_clock.hpp"
#include "drivers/sdk/sdk_recorder.hpp"
#include "drivers/sim/bay_watcher.hpp"
#include "drivers/ums/ums_recorder.hpp"
#include "drivers/usb/port_power.hpp"
#include "drivers/usb/usb_dock_source.hpp"

namespace dockd::station {
namespace asio = boost::asio;

Station::Station(asio::io_context& io, config::LiveConfig& cfg)
    : io_(io),
      cfg_(cfg),
      pool_(static_cast<std::size_t>(cfg->ingest.workers) + 2),
      progress_timer_(io),
      host_clock_timer_(io) {}

Station::~Station() {
    pool_.join();
}

Result<void> Station::open() {
    const auto& data_dir = cfg_->station.data_dir;
    if (auto r = make_dirs(data_dir, 0750); !r) return r;
    auto store = custody::Store::open(data_dir / "custody.db");
    if (!store) return store.error();
    store_ = std::move(*store);
    auto keys = crypto::KeyRing::open(data_dir, store_->station_keys());
    if (!keys) return keys.error();
    keys_ = std::move(*keys);

    const auto staging_dir = cfg_->station.staging_dir.empty() ? data_dir / "staging" : cfg_->station.staging_dir;
    staging_ = std::make_unique<staging::StagingArea>(staging_dir);
    if (auto r = staging_->prepare(); !r) return r;
    if (auto r = reconcile(); !r) return r;

    upload::Uploader::TargetList targets;
    const auto target_options = archive::target_options(cfg_->upload);  // one bandwidth cap for all targets
    for (const auto& t : cfg_->upload.targets) {
        auto target = archive::make_target(t, cfg_->station.id, target_options);
        if (!target) return target.error();
        if (auto r = (*target)->recover(); !r) return r.error().context(t.url);
        targets.push_back(std::move(*target));
    }
    if (targets.empty()) log::warning("no upload.targets configured: files stay in staging");
    uploader_ = std::make_unique<upload::Uploader>(io_, pool_, *store_, *staging_, std::move(targets), cfg_, *keys_);
    store_->register_first_key(keys_->keys().front());
    const auto clock = probe_host_clock();  // known before any bay measures a recorder
    host_synced_ = clock.synced;
    host_clock_source_ = clock.source;
    context_.reset(
        new bay::StationContext{io_, pool_, *store_, *staging_, cfg_, [this] { return uploader_->target_urls(); },
                                [this] { uploader_->wake(); }, [this] { return host_synced_.load(); },
                                [this](int bay, const std::string& by) -> Result<void> {
                                    if (!port_power_)
                                        return Error{"no switchable hub port (no USB driver serves this bay)"};
                                    return port_power_->power(bay, "cycle", by);
                                },
                                [this] {
                                    if (prober_) prober_->wake();
                                }});
    const auto config_text = read_file(cfg_->source);
    audit_config(config_text ? crypto::sha256_hex(*config_text) : std::string("unreadable"), "start");
    return {};
}

// `reason` (start | reload) extends the event's documented fields (README).
void Station::audit_config(const std::string& sha256, const char* reason) {
    store_->append_event(
        "config_loaded",
        {{"source", cfg_->source.string()}, {"sha256", sha256}, {"version", DOCKD_VERSION}, {"reason", reason}});
}

// Before anything is served: partial copies go, complete copies that never
// reached the store go (the recorder still holds them and the next docking
// copies them again), committed rows whose file vanished are reported lost,
// dockings left open by a crash are closed.
Result<void> Station::reconcile() {
    const auto names = store_->staging_names();
    auto report = staging_->reconcile(std::set<std::string>(names.begin(), names.end()));
    if (!report) return report.error().context("reconcile staging");
    std::int64_t lost = 0;
    for (const auto& f : store_->files_in_staging()) {
        std::error_code ec;
        const auto size = std::filesystem::file_size(staging_->path_of(*f.staging_name), ec);
        if (!ec && size == f.size) continue;
        store_->mark_lost(
            f.id, ec ? "staging copy missing: " + ec.message()
                     : "staging copy is " + std::to_string(size) + " bytes, expected " + std::to_string(f.size));
        log::error("file " + std::to_string(f.id) + " (" + f.device_path + ") lost from staging");
        ++lost;
    }
    const auto open = store_->open_dockings();
    for (const auto& id : open) store_->close_docking(id, std::nullopt, "station restarted");
    store_->append_event("reconciled", {{"temp_removed", report->removed_temp.size()},
                                        {"orphans_removed", report->removed_orphans.size()},
                                        {"lost", lost},
                                        {"dockings_closed", open.size()}});
    if (!report->removed_temp.empty() || !report->removed_orphans.empty() || !open.empty())
        log::info("reconciled: " + std::to_string(report->removed_temp.size()) + " partial copies and " +
                  std::to_string(report->removed_orphans.size()) + " uncommitted copies removed, " +
                  std::to_string(open.size()) + " interrupted dockings closed");
    return {};
}

void Station::start() {
    for (const auto& p : cfg_->ports) bays_.emplace(p.id, std::make_unique<bay::Bay>(p.id, *context_));
    start_usb();
    sync_sim_sources();  // ums, sdk: start_usb()
    start_prober();
    uploader_->start();
    print_progress();
    watch_host_clock();
    log::info("station " + cfg_->station.id + " serving " + std::to_string(bays_.size()) + " bays");
}

void Station::stop(std::function<void()> done) {
    stopping_ = true;
    progress_timer_.cancel();
    host_clock_timer_.cancel();
    for (auto& s : sources_) s->stop();
    for (auto& [dir, s] : sim_sources_) s->stop();
    if (port_power_) port_power_->stop();
    for (auto& [id, b] : bays_) b->stop();
    if (prober_) prober_->stop();
    uploader_->stop();
    wait_idle(std::move(done), 0);
}

void Station::wait_idle(std::function<void()> done, int tries) {
    bool idle = true;
    for (auto& [id, b] : bays_) idle = idle && b->idle();
    if (idle || tries > 200) {
        done();
        return;
    }
    auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(50));
    timer->async_wait(
        [this, timer, done = std::move(done), tries](auto) mutable { wait_idle(std::move(done), tries + 1); });
}

Result<void> Station::power(int bay, const std::string& action) {
    if (!bays_.count(bay)) return Error{"no bay " + std::to_string(bay)};
    if (action != "on" && action != "off" && action != "cycle")
        return Error{"power action must be on, off or cycle, not '" + action + "'"};
    if (!port_power_)
        return Error{"bay " + std::to_string(bay) + " has no switchable hub port (no USB driver serves it)"};
    return on_io(io_, [&] { return port_power_->power(bay, action, "api"); });
}

void Station::audit_power(int bay, const std::string& action, const std::string& by, const Result<void>& r) {
    boost::json::object payload{{"bay", bay}, {"action", action}, {"by", by}, {"ok", r.ok()}};
    if (!r) payload["error"] = r.error().message;
    store_->append_event("power", std::move(payload));
}

// Real bays (DESIGN §6): hub ports are switched off and powered on again in
// a stagger before the hotplug watch starts, so every recorder arrives once.
void Station::start_usb() {
    auto claims = usb_claims(cfg_->drivers);
    if (claims.empty()) return;
    auto ctx = drivers::usb::UsbContext::create();
    if (!ctx) {
        log::error("usb: " + ctx.error().message + "; ums and sdk bays stay empty");
        return;
    }
    usb_ = std::move(*ctx);
    port_power_ =
        std::make_unique<drivers::usb::PortPower>(io_, *usb_, bay_ports(cfg_->ports), power_policy(cfg_->charge),
                                                  [this](int bay, const std::string& action, const std::string& by,
                                                         const Result<void>& r) { audit_power(bay, action, by, r); });
    port_power_->start([this](int bay) {
        auto it = bays_.find(bay);
        if (it == bays_.end()) return false;
        const auto st = it->second->status();
        if (st.state == bay::BayState::empty || st.state == bay::BayState::ready) return false;
        return !st.battery_percent || *st.battery_percent < cfg_->charge.ready_percent;
    });
    const auto media_dir = cfg_->station.media_dir;
    drivers::usb::UsbSourceOptions opt;
    opt.ports = bay_ports(cfg_->ports);
    opt.drivers = std::move(claims);
    // The entries as configured at start: a changed driver entry needs a restart (reconfigure.cpp says so).
    opt.make_recorder = [media_dir, entries = cfg_->drivers](
                            const drivers::usb::UsbClaim& claim,
                            std::shared_ptr<drivers::usb::BaySlot> slot) -> std::shared_ptr<drivers::Recorder> {
        const config::DriverConfig& d = entries.at(claim.entry);
        if (d.type == config::DriverType::ums)
            return std::make_shared<drivers::ums::UmsRecorder>(slot, ums_options(d, media_dir));
        auto o = sdk_options(d);
        o.continue_as_ums = [d, media_dir](std::shared_ptr<drivers::usb::BaySlot> s) {
            return std::make_shared<drivers::ums::UmsRecorder>(std::move(s), ums_options(d, media_dir));
        };
        return std::make_shared<drivers::sdk::SdkRecorder>(slot, std::move(o));
    };
    opt.cycle_after_failed_commands = cfg_->charge.power_cycle_after_failed_commands;
    opt.unresponsive = [this](int bay) {
        if (stopping_) return;
        log::warning("bay " + std::to_string(bay) + ": recorder stopped answering; power-cycling its port");
        (void)port_power_->power(bay, "cycle", "recovery");
    };
    auto source = std::make_unique<drivers::usb::UsbDockSource>(io_, *usb_, std::move(opt));
    source->start({[this](int bay, std::shared_ptr<drivers::Recorder> r) { on_arrival(bay, std::move(r)); },
                   [this](int bay) {
                       if (auto it = bays_.find(bay); it != bays_.end()) it->second->left();
                   }});
    sources_.push_back(std::move(source));
}

// The charging cap holds for recorders docked at any time, not only at
// start: one that arrives while max_concurrent_charging others charge has its
// port switched off and waits its turn in the power queue.
void Station::on_arrival(int bay, std::shared_ptr<drivers::Recorder> r) {
    auto it = bays_.find(bay);
    if (it == bays_.end() || stopping_) return;
    if (retiring_.count(bay)) {
        log::warning("bay " + std::to_string(bay) + ": removed from the configuration; recorder not taken");
        return;
    }
    if (port_power_ && !port_power_->admit(bay)) return;
    it->second->arrived(std::move(r));
}

// Re-read every 30 s on the pool, so no request or bay waits on D-Bus.
void Station::watch_host_clock() {
    host_clock_timer_.expires_after(std::chrono::seconds(30));
    host_clock_timer_.async_wait([this](boost::system::error_code ec) {
        if (ec || stopping_) return;
        asio::post(pool_, [this] {
            const auto state = probe_host_clock();
            host_synced_ = state.synced;
            std::lock_guard lock(host_clock_mutex_);
            host_clock_source_ = state.source;
        });
        watch_host_clock();
    });
}

std::vector<bay::BayStatus> Station::bays() const {
    return on_io(io_, [this] { return live_bays(); });
}

std::vector<bay::BayStatus> Station::live_bays() const {
    std::vector<bay::BayStatus> out;
    for (const auto& [id, b] : bays_) out.push_back(b->status());
    return out;
}

StationSummary Station::summary() {
    StationSummary s;
    s.id = cfg_->station.id;
    s.name = cfg_->station.name;
    s.version = DOCKD_VERSION;
    s.public_key_pem = keys_->current().public_pem;
    s.uptime_s = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_).count();
    if (auto free = staging_->free_bytes()) s.staging_free_bytes = *free;
    s.queue = store_->queue_summary(to_unix_ms(std::chrono::system_clock::now()));
    // upload_deadline (seed R3), refused credentials, missing bucket, conflicts.
    for (auto& a : uploader_->alerts()) s.alerts.push_back(std::move(a));
    if (s.staging_free_bytes && *s.staging_free_bytes < cfg_->ingest.min_free_bytes)
        s.alerts.push_back("disk_low: staging has less than ingest.min_free_bytes free");
    s.targets = uploader_->target_urls();
    if (s.queue.failing > 0)
        s.alerts.push_back("upload_failing: " + std::to_string(s.queue.failing) + " uploads failing" +
                           (s.queue.last_error ? ": " + *s.queue.last_error : std::string()));
    // Seed R3 field audits: late docking is the commonest gap (DESIGN §3 overdue).
    s.overdue = store_->overdue_recorders(rfc3339(std::chrono::system_clock::now() - std::chrono::hours(24)));
    for (const auto& o : s.overdue)
        s.alerts.push_back("overdue: recorder " + o.serial +
                           (o.officer_no.empty() ? "" : " (officer " + o.officer_no + ")") + " not docked since " +
                           o.last_undocked_at);
    // Seed R9 and R8 (issue 14): descriptions past their deadline, copies short.
    const auto now = std::chrono::system_clock::now();
    s.undescribed = overdue_counts(*store_, cfg_->retention, now);
    for (const auto& o : s.undescribed) s.undescribed_files += o.count;
    if (!cfg_->upload.targets.empty())
        s.long_term_short_of_copies = store_->long_term_short_of_copies(rfc3339(now - cfg_->retention.upload_deadline),
                                                                        cfg_->retention.long_term_copies);
    for (auto& a : rule_alerts(s.undescribed, s.long_term_short_of_copies, cfg_->retention.long_term_copies))
        s.alerts.push_back(std::move(a));
    // Offsets are only as good as the reference (DESIGN §3).
    s.host_clock_synced = host_synced_;
    {
        std::lock_guard lock(host_clock_mutex_);
        s.host_clock_source = host_clock_source_;
    }
    if (!s.host_clock_synced)
        s.alerts.push_back(
            "host_clock_unsynced: the host clock is not proven synchronised (" + s.host_clock_source + ")" +
            (cfg_->clock.require_synced_host_clock ? "; device clocks are not set (clock.require_synced_host_clock)"
                                                   : ""));
    media_alerts(s);
    for (const auto& b : bays())
        if (b.state == bay::BayState::fault)
            s.alerts.push_back("bay " + std::to_string(b.id) + " fault: " + b.error);
        else if (b.error.starts_with("disk_low: "))  // an offload paused for room
            s.alerts.push_back("disk_low: bay " + std::to_string(b.id) + " paused: " + b.error.substr(10));
        else if (!b.error.empty())
            s.alerts.push_back("bay " + std::to_string(b.id) + ": " + b.error);
    return s;
}

// Probing runs on its own thread from the start: files a restart left
// unprobed are probed first, before any bay docks.
void Station::start_prober() {
    store_->require_media_probe(cfg_->media.probe);
    if (!cfg_->media.probe) return;
    const auto helper = cfg_->media.probe_helper.empty() ? media::default_probe_path() : cfg_->media.probe_helper;
    media::ProbeLimits limits;
    limits.timeout = cfg_->media.probe_timeout;
    // CPU time is the backstop; the wall-clock deadline comes first.
    limits.cpu = std::chrono::ceil<std::chrono::seconds>(cfg_->media.probe_timeout) + std::chrono::seconds(2);
    limits.memory_bytes = cfg_->media.probe_memory;
    prober_ = std::make_unique<media::ProbeWorker>(*store_, staging_->root(), helper, limits, [this] {
        boost::asio::post(io_, [this] { uploader_->wake(); });  // the probed file may go now
    });
}

// A recording that ended abnormally (truncated) is an alert for a day after
// its docking: the officer's note on the bay is gone once the recorder is.
void Station::media_alerts(StationSummary& s) {
    const auto since = rfc3339(std::chrono::system_clock::now() - std::chrono::hours(24));
    for (const auto& t : store_->truncated_since(since))
        s.alerts.push_back("truncated_recording: recorder " + t.serial + ": " + t.device_path +
                           ": recording ended abnormally (" + media::battery_words(t.battery_in) + ")");
}

// The terminal view: one line per busy bay every two seconds.
void Station::print_progress() {
    if (stopping_) return;
    retire_idle();
    const auto now = std::chrono::steady_clock::now();
    for (auto& [id, b] : bays_) b->tick(now);
    for (const auto& b : live_bays()) {
        log::set_bay_context(b.id, b.serial, b.docking_id);  // journald RECORDER/DOCKING of "bay N:" lines
        if (b.state != bay::BayState::offloading && b.state != bay::BayState::verifying) continue;
        const double pct =
            b.bytes_total ? 100.0 * static_cast<double>(b.bytes_done) / static_cast<double>(b.bytes_total) : 100.0;
        char line[256];
        std::snprintf(line, sizeof line, "bay %d: %s %s %llu/%llu files, %.1f/%.1f MiB (%.0f%%)", b.id,
                      std::string(to_string(b.state)).c_str(), b.serial.c_str(),
                      static_cast<unsigned long long>(b.files_done), static_cast<unsigned long long>(b.files_total),
                      static_cast<double>(b.bytes_done) / 1048576.0, static_cast<double>(b.bytes_total) / 1048576.0,
                      pct);
        log::info(line);
    }
    progress_timer_.expires_after(std::chrono::seconds(2));
    progress_timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec) print_progress();
    });
}

}  // namespace dockd::station
