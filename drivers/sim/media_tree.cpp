#include "drivers/sim/media_tree.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <memory>

namespace dockd::drivers::sim {

namespace {

DeviceTime to_time(const struct timespec& ts) {
    // Saturating: a file can carry any time; 64-bit milliseconds hold all a
    // device can mean, and the station flags what is implausible.
    std::int64_t ms = 0;
    if (__builtin_mul_overflow(static_cast<std::int64_t>(ts.tv_sec), 1000, &ms) ||
        __builtin_add_overflow(ms, static_cast<std::int64_t>(ts.tv_nsec / 1'000'000), &ms))
        ms = ts.tv_sec < 0 ? INT64_MIN : INT64_MAX;
    return DeviceTime(std::chrono::milliseconds(ms));
}

std::string join(const std::string& prefix, const char* name) {
    return prefix.empty() ? std::string(name) : prefix + "/" + name;
}

const char* special_kind(mode_t mode) {
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISSOCK(mode)) return "a socket";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    return "an unknown file type";
}

class Walker {
public:
    Walker(const ListLimits& limits, std::vector<MediaEntry>& out) : limits_(limits), out_(out) {}

    // Lists dir_fd into out_ and returns true; a problem with this directory
    // instead becomes one `branch` entry for it (false), and the walk goes on
    // elsewhere.
    bool walk(int dir_fd, const std::string& prefix, int depth, const struct stat& self) {
        std::vector<MediaEntry> here;
        std::vector<std::pair<std::string, struct stat>> subdirs;
        if (auto r = read_dir(dir_fd, prefix, here, subdirs); !r) return branch(prefix, self, r.error().message);
        if (here.size() + subdirs.size() > limits_.max_entries_per_directory)
            return branch(
                prefix, self,
                "more than " + std::to_string(limits_.max_entries_per_directory) + " entries in one directory");
        if (total_ + here.size() + subdirs.size() > limits_.max_entries)
            return branch(prefix, self, "listing limit of " + std::to_string(limits_.max_entries) + " entries reached");
        total_ += here.size() + subdirs.size();
        for (auto& e : here) out_.push_back(std::move(e));
        for (const auto& [name, st] : subdirs) {
            const auto path = join(prefix, name.c_str());
            if (depth + 1 > limits_.max_depth) {
                branch(path, st, "deeper than " + std::to_string(limits_.max_depth) + " levels");
                continue;
            }
            UniqueFd sub(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!sub) {
                if (errno != ENOENT) branch(path, st, std::string("cannot open: ") + std::strerror(errno));
                continue;
            }
            if (walk(sub.get(), path, depth + 1, st)) out_.push_back(entry(path, st, EntryKind::directory));
        }
        return true;
    }

private:
    static MediaEntry entry(const std::string& path, const struct stat& st, EntryKind kind) {
        MediaEntry e;
        e.device_path = path;
        e.size_bytes =
            kind == EntryKind::file || kind == EntryKind::symlink ? static_cast<std::uint64_t>(st.st_size) : 0;
        e.modified_at = to_time(st.st_mtim);
        e.kind = kind;
        return e;
    }

    bool branch(const std::string& path, const struct stat& st, const std::string& why) {
        MediaEntry e = entry(path.empty() ? "." : path, st, EntryKind::branch);
        e.problem = why;
        out_.push_back(std::move(e));
        return false;
    }

    Result<void> read_dir(int dir_fd, const std::string& prefix, std::vector<MediaEntry>& here,
                          std::vector<std::pair<std::string, struct stat>>& subdirs) {
        const int owned = ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
        if (owned < 0) return sys_error("dup");
        DIR* dir = ::fdopendir(owned);
        if (!dir) {
            ::close(owned);
            return sys_error("opendir");
        }
        std::unique_ptr<DIR, int (*)(DIR*)> guard(dir, ::closedir);
        for (;;) {
            errno = 0;
            const dirent* ent = ::readdir(dir);
            if (!ent) {
                if (errno != 0) return sys_error("readdir");
                return {};
            }
            const std::string_view name = ent->d_name;
            if (name == "." || name == "..") continue;
            if (here.size() + subdirs.size() > limits_.max_entries_per_directory) return {};  // the caller refuses it
            const auto path = join(prefix, ent->d_name);
            struct stat st {};
            if (::fstatat(dir_fd, ent->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
                if (errno == ENOENT) continue;  // deleted while listing: never listed
                MediaEntry e;
                e.device_path = path;
                e.kind = EntryKind::special;
                e.problem = std::string("cannot stat: ") + std::strerror(errno);
                here.push_back(std::move(e));
                continue;
            }
            if (S_ISDIR(st.st_mode)) {
                subdirs.emplace_back(ent->d_name, st);
            } else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) {
                here.push_back(entry(path, st, S_ISLNK(st.st_mode) ? EntryKind::symlink : EntryKind::file));
            } else {
                MediaEntry e = entry(path, st, EntryKind::special);
                e.problem = special_kind(st.st_mode);
                here.push_back(std::move(e));
            }
        }
    }

    const ListLimits& limits_;
    std::vector<MediaEntry>& out_;
    std::size_t total_ = 0;
};

// Splits "a/b/c" into components; refuses empty, "." and ".." so the walk
// can never leave media/.
Result<std::vector<std::string>> components(std::string_view rel) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        const auto slash = rel.find('/', start);
        const auto part = rel.substr(start, slash == std::string_view::npos ? rel.npos : slash - start);
        if (part.empty() || part == "." || part == "..")
            return Error{"invalid path component \"" + std::string(part) + "\"", EINVAL};
        parts.emplace_back(part);
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    return parts;
}

// Opens the directory holding the last component; every directory is opened
// with O_NOFOLLOW so a symlink in the middle fails with ELOOP or ENOTDIR.
Result<UniqueFd> open_parent(int root_fd, const std::vector<std::string>& parts) {
    UniqueFd dir(::fcntl(root_fd, F_DUPFD_CLOEXEC, 0));
    if (!dir) return sys_error("dup");
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        UniqueFd next(::openat(dir.get(), parts[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!next) return sys_error("open " + parts[i]);
        dir = std::move(next);
    }
    return dir;
}

}  // namespace

Result<UniqueFd> open_media_root(const std::filesystem::path& bay_dir) {
    UniqueFd fd(::open((bay_dir / "media").c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) return sys_error("media");
    return fd;
}

Result<std::vector<MediaEntry>> list_tree(int root_fd, const ListLimits& limits) {
    struct stat root {};
    if (::fstat(root_fd, &root) != 0) return sys_error("media: stat");
    std::vector<MediaEntry> out;
    Walker(limits, out).walk(root_fd, "", 0, root);
    if (out.size() == 1 && out[0].kind == EntryKind::branch && out[0].device_path == ".")
        return Error{"media: " + out[0].problem};
    std::sort(out.begin(), out.end(),
              [](const MediaEntry& a, const MediaEntry& b) { return a.device_path < b.device_path; });
    return out;
}

Result<UniqueFd> open_beneath(int root_fd, std::string_view rel_path) {
    const std::string where(rel_path);
    auto parts = components(rel_path);
    if (!parts) return parts.error().context(where);
    auto dir = open_parent(root_fd, *parts);
    if (!dir) return dir.error().context(where);
    // O_NONBLOCK so a FIFO put in the file's place cannot hang the open.
    UniqueFd fd(::openat(dir->get(), parts->back().c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!fd) return sys_error(where + ": open");
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return sys_error(where + ": stat");
    if (!S_ISREG(st.st_mode)) return Error{where + ": not a regular file", EINVAL};
    if (::fcntl(fd.get(), F_SETFL, 0) != 0) return sys_error(where + ": fcntl");
    return fd;
}

Result<void> unlink_beneath(int root_fd, std::string_view rel_path) {
    const std::string where(rel_path);
    auto parts = components(rel_path);
    if (!parts) return parts.error().context(where);
    auto dir = open_parent(root_fd, *parts);
    if (!dir) return dir.error().context(where);
    if (::unlinkat(dir->get(), parts->back().c_str(), 0) != 0) return sys_error(where + ": unlink");
    return {};
}

}  // namespace dockd::drivers::sim
