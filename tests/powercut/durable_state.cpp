#include "tests/powercut/durable_state.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <limits>
#include <vector>

namespace powercut {
namespace fs = std::filesystem;
namespace {

constexpr std::uint64_t page_bytes = 4096;

bool pread_all(int fd, char* buf, std::size_t n, std::uint64_t offset) {
    while (n > 0) {
        const ssize_t got = ::pread(fd, buf, n, static_cast<off_t>(offset));
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return false;
        buf += got;
        n -= static_cast<std::size_t>(got);
        offset += static_cast<std::uint64_t>(got);
    }
    return true;
}

bool pwrite_all(int fd, const std::string& data, std::uint64_t offset) {
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t put = ::pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
        if (put < 0 && errno == EINTR) continue;
        if (put <= 0) return false;
        done += static_cast<std::size_t>(put);
    }
    return true;
}

std::map<std::string, Entry> list_dir(int dir_fd) {
    std::map<std::string, Entry> out;
    DIR* d = ::fdopendir(::dup(dir_fd));
    if (!d) return out;
    ::rewinddir(d);  // the dup shares its offset with dir_fd
    while (const dirent* de = ::readdir(d)) {
        const std::string name = de->d_name;
        if (name == "." || name == "..") continue;
        struct stat st {};
        if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        Entry e{st.st_ino, st.st_mode, st.st_uid, st.st_gid, st.st_rdev, {}};
        if (S_ISLNK(st.st_mode)) {
            char target[4096];
            const ssize_t n = ::readlinkat(dir_fd, name.c_str(), target, sizeof target);
            if (n > 0) e.symlink_target.assign(target, static_cast<std::size_t>(n));
        }
        out.emplace(name, std::move(e));
    }
    ::closedir(d);
    return out;
}

std::uint64_t ino_of(int fd) {
    struct stat st {};
    return ::fstat(fd, &st) == 0 ? st.st_ino : 0;
}

}  // namespace

DurableState::DurableState(std::string backing, std::string graveyard, std::string rebuild)
    : backing_(std::move(backing)), graveyard_(std::move(graveyard)), rebuild_(std::move(rebuild)) {}

void DurableState::snapshot_all() {
    undo_.clear();
    dirs_.clear();
    const int root = ::open(backing_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root < 0) return;
    root_ino_ = ino_of(root);
    // Depth first over real directories (never through a symlink).
    auto walk = [this](auto& self, int dir_fd) -> void {
        dir_synced(dir_fd);
        for (const auto& [name, e] : dirs_[ino_of(dir_fd)]) {
            if (!S_ISDIR(e.mode)) continue;
            const int sub = ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub < 0) continue;
            self(self, sub);
            ::close(sub);
        }
    };
    walk(walk, root);
    ::close(root);
}

DurableState::Undo& DurableState::undo_of(int fd) {
    struct stat st {};
    ::fstat(fd, &st);
    auto [it, fresh] = undo_.try_emplace(st.st_ino);
    if (fresh) it->second.durable_size = static_cast<std::uint64_t>(st.st_size);
    return it->second;
}

// Saves every page of [from, to) that still holds durable bytes: a page not
// saved yet has not changed since the last fsync.
void DurableState::save_range(int fd, Undo& u, std::uint64_t from, std::uint64_t to) {
    to = std::min(to, u.durable_size);
    for (std::uint64_t page = from - from % page_bytes; page < to; page += page_bytes) {
        if (u.pages.count(page)) continue;
        std::string bytes(std::min(page_bytes, u.durable_size - page), '\0');
        if (pread_all(fd, bytes.data(), bytes.size(), page)) {
            u.pages.emplace(page, std::move(bytes));
        } else {
            std::cerr << "powercutfs: cannot save the durable bytes at " << page << ": " << std::strerror(errno)
                      << "\n";
            unsaved_ = true;  // the roll-back cannot be exact: say so at the cut
        }
    }
}

void DurableState::before_write(int fd, std::uint64_t offset, std::uint64_t length) {
    Undo& u = undo_of(fd);
    save_range(fd, u, offset, offset + length);
}

void DurableState::before_truncate(int fd, std::uint64_t size) {
    Undo& u = undo_of(fd);
    save_range(fd, u, size, std::numeric_limits<std::uint64_t>::max());
}

void DurableState::file_synced(int fd) {
    undo_.erase(ino_of(fd));
}

void DurableState::dir_synced(int dir_fd) {
    dirs_[ino_of(dir_fd)] = list_dir(dir_fd);
}

// Every regular file's inode, wherever it now lives: under the backing root
// or in the graveyard.
std::unordered_map<ino_t, std::string> DurableState::locate_live() const {
    std::unordered_map<ino_t, std::string> out;
    std::error_code ec;
    for (const auto& top : {backing_, graveyard_}) {
        for (fs::recursive_directory_iterator it(top, ec), end; !ec && it != end; it.increment(ec)) {
            struct stat st {};
            if (::lstat(it->path().c_str(), &st) == 0 && S_ISREG(st.st_mode)) out.emplace(st.st_ino, it->path());
        }
    }
    return out;
}

bool DurableState::materialize(ino_t dir, const std::string& out, const std::unordered_map<ino_t, std::string>& live,
                               std::map<ino_t, bool>& seen) {
    bool ok = true;
    auto listing = dirs_.find(dir);
    if (listing == dirs_.end()) return ok;  // created and named, but never synced itself: empty
    for (const auto& [name, e] : listing->second) {
        const std::string path = out + "/" + name;
        if (S_ISDIR(e.mode)) {
            // A directory has one name; a second one can only come from a
            // move whose two directories were synced at different times.
            if (!seen.emplace(e.ino, true).second) continue;
            ::mkdir(path.c_str(), 0700);
            ok = materialize(e.ino, path, live, seen) && ok;
            ::chmod(path.c_str(), e.mode & 07777);
            ::lchown(path.c_str(), e.uid, e.gid);
        } else if (S_ISREG(e.mode)) {
            auto it = live.find(e.ino);
            if (it == live.end() || ::link(it->second.c_str(), path.c_str()) != 0) {
                std::cerr << "powercutfs: durable file " << path << " (inode " << e.ino << ") not found\n";
                ok = false;
            }
        } else if (S_ISLNK(e.mode)) {
            if (::symlink(e.symlink_target.c_str(), path.c_str()) == 0) ::lchown(path.c_str(), e.uid, e.gid);
        } else {
            ::mknod(path.c_str(), e.mode, e.rdev);
        }
    }
    return ok;
}

bool DurableState::roll_back() {
    const auto live = locate_live();
    bool ok = true;
    for (const auto& [ino, u] : undo_) {
        auto it = live.find(ino);
        if (it == live.end()) continue;  // never named durably either: nothing to restore
        const int fd = ::open(it->second.c_str(), O_WRONLY | O_CLOEXEC);
        if (fd < 0) {
            std::cerr << "powercutfs: cannot restore " << it->second << "\n";
            ok = false;
            continue;
        }
        for (const auto& [offset, bytes] : u.pages) ok = pwrite_all(fd, bytes, offset) && ok;
        ok = ::ftruncate(fd, static_cast<off_t>(u.durable_size)) == 0 && ok;
        ::close(fd);
    }
    std::error_code ec;
    fs::remove_all(rebuild_, ec);
    fs::create_directory(rebuild_, ec);
    std::map<ino_t, bool> seen{{root_ino_, true}};
    ok = materialize(root_ino_, rebuild_, live, seen) && ok;
    // The rebuilt names hold links to the inodes, so the live names can go.
    std::vector<fs::path> old_names, new_names;
    for (const auto& e : fs::directory_iterator(backing_, ec)) old_names.push_back(e.path());
    for (const auto& p : old_names) fs::remove_all(p, ec);
    for (const auto& e : fs::directory_iterator(rebuild_, ec)) new_names.push_back(e.path());
    for (const auto& p : new_names) {
        fs::rename(p, fs::path(backing_) / p.filename(), ec);
        if (ec) {
            std::cerr << "powercutfs: cannot move " << p << " back: " << ec.message() << "\n";
            ok = false;
        }
    }
    fs::remove_all(rebuild_, ec);
    fs::remove_all(graveyard_, ec);
    undo_.clear();
    dirs_.clear();
    return ok && !unsaved_;
}

}  // namespace powercut
