// dockd --config FILE [--check-config] [--foreground] [--version] [--udev-rules]
// Exit codes: 0 ok, 1 runtime failure, 2 usage/config error (DESIGN §4).
#include <systemd/sd-daemon.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/program_options.hpp>
#include <functional>
#include <iostream>

#include "daemon/api/routes.hpp"
#include "daemon/api/server.hpp"
#include "daemon/common/fs.hpp"
#include "daemon/common/log.hpp"
#include "daemon/config/live.hpp"
#include "daemon/crypto/sha256.hpp"
#include "daemon/station/driver_options.hpp"
#include "daemon/station/station.hpp"

namespace po = boost::program_options;
using namespace dockd;

namespace {

// SIGHUP: the new file and its tokens file apply whole, or nothing changes
// and every problem is logged as FILE:LINE (the journal shows why).
void reload(const std::string& path, station::Station& station, api::Routes& routes) {
    log::info("SIGHUP: reloading " + path);
    sd_notify(0, "RELOADING=1");
    std::vector<std::string> problems;
    const auto text = read_file(path);
    auto loaded = text ? config::parse_config(*text, path)
                       : config::LoadResult{std::nullopt, {{path, 0, "cannot read: " + text.error().message}}};
    for (const auto& e : loaded.errors) problems.push_back(e.str());
    std::vector<api::TokenEntry> tokens;
    if (loaded.config && !loaded.config->api.tokens_file.empty()) {
        auto t = api::load_tokens(loaded.config->api.tokens_file);
        if (t)
            tokens = std::move(*t);
        else
            problems.push_back(path + ":" + std::to_string(loaded.config->line_of("api.tokens_file")) + ": " +
                               t.error().message);
    }
    if (problems.empty())
        if (auto r = station.reload(std::move(*loaded.config), crypto::sha256_hex(*text)); !r)
            for (std::size_t from = 0; from <= r.error().message.size();) {
                const auto nl = std::min(r.error().message.find('\n', from), r.error().message.size());
                problems.push_back(r.error().message.substr(from, nl - from));
                from = nl + 1;
            }
    sd_notify(0, "READY=1");
    if (!problems.empty()) {
        for (const auto& p : problems) log::error(p);
        log::error("reload refused: the configuration in force is unchanged");
        return;
    }
    routes.set_tokens(std::move(tokens));
}

void on_hangup(boost::asio::signal_set& hup, const std::string& path, station::Station& station, api::Routes& routes) {
    hup.async_wait([&hup, path, &station, &routes](boost::system::error_code ec, int) {
        if (ec) return;
        reload(path, station, routes);
        on_hangup(hup, path, station, routes);
    });
}

}  // namespace

int main(int argc, char** argv) {
    po::options_description opts("dockd options");
    opts.add_options()("config", po::value<std::string>(), "configuration file (YAML)")(
        "check-config", "validate the configuration and exit")(
        "udev-rules", "print the udev rules for this configuration's recorders and hubs and exit")(
        "foreground", "stay in the foreground (default)")("version", "print the version and exit")("help", "this help");
    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, opts), vm);
    } catch (const std::exception& e) {
        std::cerr << "dockd: " << e.what() << "\n" << opts;
        return 2;
    }
    if (vm.count("help")) {
        std::cout << opts;
        return 0;
    }
    if (vm.count("version")) {
        std::cout << "dockd " << DOCKD_VERSION << "\n";
        return 0;
    }
    if (!vm.count("config")) {
        std::cerr << "dockd: --config FILE is required\n" << opts;
        return 2;
    }
    auto loaded = config::load_config(vm["config"].as<std::string>());
    for (const auto& e : loaded.errors) std::cerr << e.str() << "\n";
    if (!loaded.config) return 2;
    config::LiveConfig live(std::move(*loaded.config));
    const config::Config& cfg = live.get();  // as started: api.listen needs a restart
    // The tokens file's contents are configuration too: --check-config reads them.
    std::vector<api::TokenEntry> tokens;
    if (!cfg.api.tokens_file.empty()) {
        auto t = api::load_tokens(cfg.api.tokens_file);
        if (!t) {
            std::cerr << "dockd: " << t.error().message << "\n";
            return 2;
        }
        tokens = std::move(*t);
    }
    if (vm.count("check-config")) return 0;
    if (vm.count("udev-rules")) {
        std::cout << station::udev_rules(cfg);
        return 0;
    }

    boost::asio::io_context io;
    station::Station station(io, live);
    try {
        if (auto r = station.open(); !r) {
            log::error("cannot start: " + r.error().message);
            return 1;
        }
    } catch (const std::exception& e) {
        log::error(std::string("cannot start: ") + e.what());
        return 1;
    }
    api::Routes routes(station, std::move(tokens));
    // Two API workers: one slow request (a full audit verify, an export)
    // leaves the other for the page and dockctl.
    boost::asio::thread_pool api_work(2);
    api::Server server(io, api_work, [&routes](const api::HttpRequest& r) { return routes(r); });
    server.on_refusal([&routes](int status) { routes.count(status); });
    if (auto r = server.listen(cfg.api.listen_host, cfg.api.listen_port); !r) {
        log::error(r.error().message);
        return 1;
    }
    station.start();
    log::info("api listening on " + cfg.api.listen_host + ":" + std::to_string(server.port()));
    sd_notify(0, "READY=1");
    // Type=notify + WatchdogSec: pinged from the io_context, so a wedged
    // event loop (not just a dead process) gets the service restarted.
    boost::asio::steady_timer watchdog(io);
    std::uint64_t watchdog_usec = 0;
    std::function<void()> ping = [&] {
        sd_notify(0, "WATCHDOG=1");
        watchdog.expires_after(std::chrono::microseconds(watchdog_usec / 2));
        watchdog.async_wait([&](boost::system::error_code ec) {
            if (!ec) ping();
        });
    };
    if (sd_watchdog_enabled(0, &watchdog_usec) > 0) ping();

    boost::asio::signal_set hup(io, SIGHUP);
    on_hangup(hup, vm["config"].as<std::string>(), station, routes);
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code ec, int sig) {
        if (ec) return;
        hup.cancel();
        log::info(std::string("stopping on ") + (sig == SIGINT ? "SIGINT" : "SIGTERM"));
        sd_notify(0, "STOPPING=1");
        server.stop();
        watchdog.cancel();
        station.stop([&io] { io.stop(); });
    });
    try {
        io.run();
    } catch (const std::exception& e) {
        log::error(std::string("fatal: ") + e.what());
        return 1;
    }
    log::info("stopped");
    return 0;
}
