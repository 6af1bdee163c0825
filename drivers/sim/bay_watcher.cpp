#include "drivers/sim/bay_watcher.hpp"

#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <cstring>

#include "daemon/common/fs.hpp"
#include "daemon/common/log.hpp"
#include "drivers/sim/sim_recorder.hpp"

namespace dockd::drivers::sim {

namespace {

constexpr std::uint32_t watch_mask =
    IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM | IN_ONLYDIR | IN_DELETE_SELF | IN_MOVE_SELF;

// A real directory (not a symlink to one) at path, with its identity.
bool stat_dir(const std::filesystem::path& path, struct stat& st) {
    return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

SimDockSource::SimDockSource(boost::asio::io_context& io, std::filesystem::path bays_dir, std::set<int> bay_ids)
    : io_(io),
      dir_(std::move(bays_dir)),
      bay_ids_(std::move(bay_ids)),
      stream_(io),
      buf_(std::make_shared<std::array<char, 16384>>()) {}

SimDockSource::~SimDockSource() {
    stop();
}

void SimDockSource::start(Callbacks cb) {
    if (running_) return;
    cb_ = std::move(cb);
    if (auto r = make_dirs(dir_, 0755); !r) {
        log::error("sim bays " + dir_.string() + ": " + r.error().message);
        return;
    }
    const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) {
        log::error("sim bays " + dir_.string() + ": inotify_init1: " + std::strerror(errno));
        return;
    }
    boost::system::error_code ec;
    stream_.assign(fd, ec);
    if (ec || !watch()) {
        if (ec) ::close(fd);
        stream_.close(ec);
        return;
    }
    running_ = true;
    alive_ = std::make_shared<bool>(true);
    // Arrivals already present are reported from the io_context, like all callbacks.
    boost::asio::post(io_, [this, alive = std::weak_ptr<bool>(alive_)] {
        if (alive.lock()) rescan();
    });
    read_events();
}

void SimDockSource::stop() {
    running_ = false;
    alive_.reset();
    boost::system::error_code ec;
    stream_.close(ec);  // closing the inotify fd drops its watch
    watch_ = -1;
}

void SimDockSource::set_bays(std::set<int> bay_ids) {
    bay_ids_ = std::move(bay_ids);
    ignored_logged_.clear();  // a name ignored before may be a bay now
    if (running_) rescan();
}

bool SimDockSource::watch() {
    watch_ = ::inotify_add_watch(stream_.native_handle(), dir_.c_str(), watch_mask);
    if (watch_ < 0) {
        log::error("sim bays " + dir_.string() + ": inotify_add_watch: " + std::strerror(errno));
        return false;
    }
    return true;
}

void SimDockSource::read_events() {
    stream_.async_read_some(boost::asio::buffer(*buf_), [this, alive = std::weak_ptr<bool>(alive_), buf = buf_](
                                                            const boost::system::error_code& ec, std::size_t n) {
        if (!alive.lock() || !running_) return;
        if (ec) {
            log::error("sim bays " + dir_.string() + ": inotify read: " + ec.message());
            return;
        }
        handle(buf->data(), n);
        if (running_) read_events();
    });
}

void SimDockSource::handle(const char* data, std::size_t size) {
    std::size_t off = 0;
    while (running_ && off + sizeof(inotify_event) <= size) {
        inotify_event ev{};
        std::memcpy(&ev, data + off, sizeof ev);
        const char* name_ptr = data + off + sizeof ev;
        const std::string name = ev.len ? std::string(name_ptr, ::strnlen(name_ptr, ev.len)) : std::string();
        off += sizeof ev + ev.len;

        if (ev.mask & IN_Q_OVERFLOW) {
            log::warning("sim bays " + dir_.string() + ": inotify queue overflow, rescanning");
            rescan();
        } else if (ev.wd != watch_) {
            continue;  // a watch replaced after the bays directory moved
        } else if (ev.mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
            log::warning("sim bays " + dir_.string() + ": directory removed or moved, re-creating");
            ::inotify_rm_watch(stream_.native_handle(), watch_);
            watch_ = -1;
            if (auto r = make_dirs(dir_, 0755); !r) log::error("sim bays: " + r.error().message);
            watch();
            rescan();
        } else if (ev.mask & (IN_CREATE | IN_MOVED_TO)) {
            on_appeared(name);
        } else if (ev.mask & (IN_DELETE | IN_MOVED_FROM)) {
            on_vanished(name);
        }
    }
}

std::optional<int> SimDockSource::bay_of(const std::string& name) {
    int bay = 0;
    bool digits = !name.empty() && name.size() <= 6 && name[0] != '0';
    for (const char c : name) {
        if (c < '0' || c > '9') digits = false;
    }
    if (digits) bay = std::stoi(name);
    if (digits && bay_ids_.count(bay)) return bay;
    if (ignored_logged_.insert(name).second)
        log::info("sim bays " + dir_.string() + ": ignoring \"" + name + "\": not a configured bay");
    return std::nullopt;
}

void SimDockSource::on_appeared(const std::string& name) {
    const auto bay = bay_of(name);
    if (!bay) return;
    struct stat st {};
    if (!stat_dir(dir_ / name, st)) return;  // already gone again, or not a directory
    const auto known = present_.find(*bay);
    if (known != present_.end()) {
        if (known->second.dev == st.st_dev && known->second.ino == st.st_ino) return;
        leave(*bay);
        if (!running_) return;
    }
    arrive(*bay, {st.st_dev, st.st_ino});
}

void SimDockSource::on_vanished(const std::string& name) {
    const auto bay = bay_of(name);
    if (!bay) return;
    const auto known = present_.find(*bay);
    if (known == present_.end()) return;
    struct stat st {};
    if (stat_dir(dir_ / name, st) && known->second.dev == st.st_dev && known->second.ino == st.st_ino) return;
    // Gone, or already replaced by another recorder: that one's own event reports it.
    leave(*bay);
}

void SimDockSource::rescan() {
    std::map<int, Present> now;
    std::error_code ec;
    // increment(ec), not a range-for: the source never throws.
    for (std::filesystem::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
        struct stat st {};
        if (!stat_dir(it->path(), st)) continue;
        if (const auto bay = bay_of(it->path().filename().string())) now[*bay] = {st.st_dev, st.st_ino};
    }
    if (ec) log::error("sim bays " + dir_.string() + ": scan: " + ec.message());
    const auto before = present_;
    for (const auto& [bay, id] : before) {
        const auto it = now.find(bay);
        if (it == now.end() || it->second.dev != id.dev || it->second.ino != id.ino) leave(bay);
        if (!running_) return;
    }
    for (const auto& [bay, id] : now) {
        if (!present_.count(bay)) arrive(bay, id);
        if (!running_) return;
    }
}

void SimDockSource::arrive(int bay, Present id) {
    present_[bay] = id;
    if (cb_.arrived) cb_.arrived(bay, std::make_shared<SimRecorder>(bay, dir_ / std::to_string(bay)));
}

void SimDockSource::leave(int bay) {
    present_.erase(bay);
    if (cb_.left) cb_.left(bay);
}

}  // namespace dockd::drivers::sim
