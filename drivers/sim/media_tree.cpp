#include "drivers/sim/media_tree.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <memory>

namespace dockd::drivers::sim {

namespace {

// Deeper trees than this are refused rather than exhausting descriptors.
constexpr int max_depth = 64;

SystemTime to_time(const struct timespec& ts) {
    return SystemTime(std::chrono::duration_cast<SystemTime::duration>(std::chrono::seconds(ts.tv_sec) +
                                                                       std::chrono::nanoseconds(ts.tv_nsec)));
}

std::string join(const std::string& prefix, const char* name) {
    return prefix.empty() ? std::string(name) : prefix + "/" + name;
}

Result<void> walk(int dir_fd, const std::string& prefix, int depth, std::vector<MediaEntry>& out) {
    const std::string where = prefix.empty() ? "media" : prefix;
    if (depth > max_depth) return Error{where + ": deeper than " + std::to_string(max_depth) + " levels"};
    const int owned = ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
    if (owned < 0) return sys_error(where + ": dup");
    DIR* dir = ::fdopendir(owned);
    if (!dir) {
        ::close(owned);
        return sys_error(where + ": opendir");
    }
    std::unique_ptr<DIR, int (*)(DIR*)> guard(dir, ::closedir);
    for (;;) {
        errno = 0;
        const dirent* ent = ::readdir(dir);
        if (!ent) {
            if (errno != 0) return sys_error(where + ": readdir");
            break;
        }
        const std::string_view name = ent->d_name;
        if (name == "." || name == "..") continue;
        const auto path = join(prefix, ent->d_name);
        struct stat st {};
        if (::fstatat(dir_fd, ent->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            if (errno == ENOENT) continue;  // deleted while listing
            return sys_error(path + ": stat");
        }
        if (S_ISDIR(st.st_mode)) {
            UniqueFd sub(::openat(dir_fd, ent->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!sub) return sys_error(path + ": open");
            if (auto r = walk(sub.get(), path, depth + 1, out); !r) return r;
        } else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) {
            MediaEntry e;
            e.device_path = path;
            e.size_bytes = static_cast<std::uint64_t>(st.st_size);
            e.modified_at = to_time(st.st_mtim);
            e.is_symlink = S_ISLNK(st.st_mode);
            out.push_back(std::move(e));
        }
    }
    return {};
}

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

Result<std::vector<MediaEntry>> list_tree(int root_fd) {
    std::vector<MediaEntry> out;
    if (auto r = walk(root_fd, "", 0, out); !r) return r.error();
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
