// Reading a file:// archive back (dockd-verify, copy-back): keys are checked
// to stay below the root, since a verifier takes them from documents it has
// not yet proven; symlinks are never followed.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

#include "daemon/archive/file_target.hpp"
#include "daemon/common/fs.hpp"

namespace dockd::archive {
namespace fs = std::filesystem;
namespace {

constexpr std::size_t read_chunk_bytes = 1 << 20;

ObjectStat stat_of(const std::string& key, const struct stat& st) {
    // ctime moves on every write and cannot be set back by hand: an edit in
    // place that restores mtime still changes the version.
    char version[96];
    std::snprintf(version, sizeof version, "%lld.%09ld-%lld.%09ld-%llu", static_cast<long long>(st.st_mtim.tv_sec),
                  st.st_mtim.tv_nsec, static_cast<long long>(st.st_ctim.tv_sec), st.st_ctim.tv_nsec,
                  static_cast<unsigned long long>(st.st_ino));
    return {key, static_cast<std::uint64_t>(st.st_size), version};
}

}  // namespace

Result<std::optional<ObjectStat>> FileTarget::stat(const std::string& key) {
    if (!is_safe_relative_key(key)) return Error{url_ + ": '" + key + "' is not a key below the archive root"};
    struct stat st {};
    const fs::path p = root_ / key;
    if (::lstat(p.c_str(), &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) return std::optional<ObjectStat>();
        return sys_error("stat " + p.string());
    }
    if (!S_ISREG(st.st_mode)) return Error{p.string() + ": not a regular file"};
    return std::optional<ObjectStat>(stat_of(key, st));
}

Result<void> FileTarget::read(const std::string& key, const ChunkSink& sink, const std::atomic<bool>& cancelled) {
    if (!is_safe_relative_key(key)) return Error{url_ + ": '" + key + "' is not a key below the archive root"};
    const fs::path p = root_ / key;
    UniqueFd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) return sys_error("open " + p.string());
    ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
    thread_local std::vector<char> buf(read_chunk_bytes);  // one per reading thread, reused
    for (;;) {
        if (cancelled.load()) return Error{"cancelled"};
        const ssize_t n = ::read(fd.get(), buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return sys_error("read " + p.string());
        }
        if (n == 0) return {};
        if (auto r = sink(std::string_view(buf.data(), static_cast<std::size_t>(n))); !r) return r;
    }
}

Result<void> FileTarget::list(const std::string& prefix, const ObjectVisitor& each) {
    // Walk only the deepest directory the prefix names.
    const auto slash = prefix.rfind('/');
    const fs::path start = slash == std::string::npos ? root_ : root_ / prefix.substr(0, slash);
    std::error_code ec;
    fs::recursive_directory_iterator it(start, fs::directory_options::none, ec), end;
    if (ec)
        return ec == std::errc::no_such_file_or_directory ? Result<void>()
                                                          : Error{"list " + start.string() + ": " + ec.message()};
    for (; it != end; it.increment(ec)) {
        if (ec) return Error{"list " + start.string() + ": " + ec.message()};
        const auto rel = it->path().lexically_relative(root_).generic_string();
        const auto type = it->symlink_status(ec).type();
        if (type == fs::file_type::directory) {
            if (rel == ".incoming") it.disable_recursion_pending();  // our temp files, never objects
            continue;
        }
        if (!rel.starts_with(prefix)) continue;
        struct stat st {};
        if (::lstat(it->path().c_str(), &st) != 0) return sys_error("stat " + it->path().string());
        // A symlink or device is listed too: the verifier reports what it cannot read.
        if (auto r = each(stat_of(rel, st)); !r) return r;
    }
    return {};
}

}  // namespace dockd::archive
