// The station: opens the custody store and staging, reconciles them after
// any crash before serving, then runs the bays, their dock sources and the
// uploader on one io_context.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <vector>

#include "daemon/bay/bay.hpp"
#include "daemon/config/live.hpp"
#include "daemon/crypto/key_ring.hpp"
#include "daemon/custody/store.hpp"
#include "daemon/media/notes.hpp"
#include "daemon/media/probe_worker.hpp"
#include "daemon/staging/staging.hpp"
#include "daemon/station/rules.hpp"
#include "daemon/upload/uploader.hpp"
#include "drivers/dock_source.hpp"

namespace dockd::drivers::sim {
class SimDockSource;
}
namespace dockd::drivers::usb {
class UsbContext;
class PortPower;
}  // namespace dockd::drivers::usb

namespace dockd::station {

struct StationSummary {
    std::string id, name, version, public_key_pem;
    std::int64_t uptime_s = 0;
    std::optional<std::uint64_t> staging_free_bytes;
    custody::QueueSummary queue;
    std::vector<std::string> alerts;   // "code: message"
    std::vector<std::string> targets;  // upload target URLs
    std::vector<custody::OverdueRecorder> overdue;
    bool host_clock_synced = false;  // true only when proven (DESIGN §12)
    std::string host_clock_source;   // what proved it, or why not
    // Issue 14: files past the description deadline, by officer (seed R9),
    // and long-term files short of their copies (R8).
    std::vector<OfficerUndescribed> undescribed;
    std::int64_t undescribed_files = 0;
    std::int64_t long_term_short_of_copies = 0;
};

class Station {
public:
    Station(boost::asio::io_context& io, config::LiveConfig& cfg);
    ~Station();
    // Opens store, key and staging, reconciles them. Nothing is served before.
    Result<void> open();
    void start();
    // Ends every session (closing its docking) and calls done once all are closed.
    void stop(std::function<void()> done);
    // SIGHUP (reconfigure.cpp): makes `next` the configuration in force, or
    // changes nothing and says why ("FILE:LINE: ..."). Audited as
    // config_loaded with config_sha256, the hash of the text `next` was read from.
    Result<void> reload(config::Config next, const std::string& config_sha256);

    // Any thread: bay state is read on the io thread, which owns it.
    std::vector<bay::BayStatus> bays() const;
    // Hub port power for a bay: "on", "off" or "cycle". Audited. Bays without
    // a power-switching hub port (simulated bays) answer with an error.
    Result<void> power(int bay, const std::string& action);
    StationSummary summary();
    custody::Store& store() { return *store_; }
    const config::Config& config() const { return cfg_.get(); }
    const crypto::KeyRing& keys() const { return *keys_; }
    // Key n+1 becomes the signing key (DESIGN §11); audited as key_rotated.
    Result<std::pair<crypto::KeyInfo, custody::AuditHead>> rotate_key() { return uploader_->publisher().rotate_key(); }

private:
    Result<void> reconcile();
    void print_progress();
    std::vector<bay::BayStatus> live_bays() const;  // on the io thread (or before it runs)
    void wait_idle(std::function<void()> done, int tries);
    void start_usb();  // ums and sdk drivers: hub power, then hotplug
    void audit_power(int bay, const std::string& action, const std::string& by, const Result<void>& r);
    void on_arrival(int bay, std::shared_ptr<drivers::Recorder> r);
    void watch_host_clock();
    void audit_config(const std::string& sha256, const char* reason);
    // reconfigure.cpp
    void sync_sim_sources();  // one source per configured bays_dir, watching bays_
    void retire_idle();       // bays removed by a reload go once their docking is over
    void start_prober();
    void media_alerts(StationSummary& s);

    boost::asio::io_context& io_;
    config::LiveConfig& cfg_;
    const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    boost::asio::thread_pool pool_;
    std::unique_ptr<custody::Store> store_;
    std::unique_ptr<crypto::KeyRing> keys_;
    std::unique_ptr<staging::StagingArea> staging_;
    std::unique_ptr<upload::Uploader> uploader_;
    std::unique_ptr<media::ProbeWorker> prober_;  // null when media.probe is off
    std::unique_ptr<bay::StationContext> context_;
    std::map<int, std::unique_ptr<bay::Bay>> bays_;
    // Declared before sources_: the usb source uses the context until it is destroyed.
    std::unique_ptr<drivers::usb::UsbContext> usb_;
    std::unique_ptr<drivers::usb::PortPower> port_power_;
    std::vector<std::unique_ptr<drivers::DockSource>> sources_;  // usb
    std::map<std::filesystem::path, std::unique_ptr<drivers::sim::SimDockSource>> sim_sources_;
    std::set<int> retiring_;  // in bays_ but no longer configured: refuse arrivals, drop when idle
    boost::asio::steady_timer progress_timer_;
    boost::asio::steady_timer host_clock_timer_;
    std::atomic<bool> host_synced_{false};
    mutable std::mutex host_clock_mutex_;
    std::string host_clock_source_;
    bool stopping_ = false;
};

}  // namespace dockd::station
