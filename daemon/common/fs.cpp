#include "daemon/common/fs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <random>

namespace dockd {

void UniqueFd::reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
}

Result<std::string> read_file(const std::filesystem::path& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return sys_error("open " + path.string());
    std::string out;
    char buf[65536];
    for (;;) {
        const ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            return sys_error("read " + path.string());
        }
        if (n == 0) break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
}

Result<void> write_all(int fd, std::string_view data, const std::string& what) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return sys_error("write " + what);
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
}

Result<void> fsync_dir(const std::filesystem::path& dir) {
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return sys_error("open dir " + dir.string());
    if (::fsync(fd.get()) != 0) return sys_error("fsync dir " + dir.string());
    return {};
}

Result<void> write_file_atomic(const std::filesystem::path& path, std::string_view content, mode_t mode) {
    std::random_device rd;
    const auto tmp = path.string() + ".tmp-" + std::to_string(rd());
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
    if (!fd) return sys_error("create " + tmp);
    auto fail = [&](Error e) {
        ::unlink(tmp.c_str());
        return e;
    };
    if (auto r = write_all(fd.get(), content, tmp); !r) return fail(r.error());
    if (::fsync(fd.get()) != 0) return fail(sys_error("fsync " + tmp));
    fd.reset();
    if (::rename(tmp.c_str(), path.c_str()) != 0) return fail(sys_error("rename to " + path.string()));
    return fsync_dir(path.parent_path().empty() ? "." : path.parent_path());
}

bool is_safe_relative_key(std::string_view key) {
    if (key.empty() || key.front() == '/' || key.back() == '/' || key.find('\0') != std::string_view::npos)
        return false;
    for (std::size_t start = 0; start <= key.size();) {
        const auto end = std::min(key.find('/', start), key.size());
        const auto part = key.substr(start, end - start);
        if (part.empty() || part == "." || part == "..") return false;
        start = end + 1;
    }
    return true;
}

// A new directory's name is durable only once its parent is synced, and
// everything later created, renamed or linked inside it hangs on that name
// (found by the power-cut test: a first start lost its whole data_dir, and
// archived objects in new date directories were gone after a power cut).
Result<void> make_dirs(const std::filesystem::path& dir, mode_t mode) {
    std::filesystem::path cur;
    for (const auto& part : dir) {
        cur /= part;
        if (::mkdir(cur.c_str(), mode) == 0) {
            if (auto r = fsync_dir(cur.has_parent_path() ? cur.parent_path() : "."); !r) return r;
        } else if (errno != EEXIST) {
            return sys_error("mkdir " + cur.string());
        }
    }
    return {};
}

}  // namespace dockd
