// SimDockSource: bay N holds a recorder while directory bays_dir/N exists
// (DESIGN §6). Watched with inotify, read through the station's io_context.
#pragma once

#include <sys/types.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "drivers/dock_source.hpp"

namespace dockd::drivers::sim {

class SimDockSource : public DockSource {
public:
    SimDockSource(boost::asio::io_context& io, std::filesystem::path bays_dir, std::set<int> bay_ids);
    ~SimDockSource() override;

    void start(Callbacks cb) override;
    void stop() override;
    // A reload: watch these bays from now on. A recorder in a bay left out
    // is reported as gone; one already in a bay added arrives.
    void set_bays(std::set<int> bay_ids);
    const std::filesystem::path& bays_dir() const { return dir_; }

private:
    struct Present {
        dev_t dev = 0;
        ino_t ino = 0;
    };

    bool watch();
    void read_events();
    void handle(const char* data, std::size_t size);
    void on_appeared(const std::string& name);
    void on_vanished(const std::string& name);
    // Diffs the directory against what was reported (start, overflow, re-watch).
    void rescan();
    // The bay id for a directory name; nullopt (logged once) when not a configured bay.
    std::optional<int> bay_of(const std::string& name);
    void arrive(int bay, Present id);
    void leave(int bay);

    boost::asio::io_context& io_;
    const std::filesystem::path dir_;
    std::set<int> bay_ids_;
    boost::asio::posix::stream_descriptor stream_;
    int watch_ = -1;
    Callbacks cb_;
    bool running_ = false;
    std::map<int, Present> present_;
    std::set<std::string> ignored_logged_;
    // Pending handlers hold these: a stopped or destroyed source is never
    // touched. (Destroying the source from inside its own callback is not supported.)
    std::shared_ptr<bool> alive_;
    std::shared_ptr<std::array<char, 16384>> buf_;
};

}  // namespace dockd::drivers::sim
