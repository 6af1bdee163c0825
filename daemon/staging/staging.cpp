#include "daemon/staging/staging.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <set>

namespace dockd::staging {
namespace fs = std::filesystem;

StagingWriter::StagingWriter(UniqueFd fd, fs::path temp, fs::path final_path)
    : fd_(std::move(fd)), temp_(std::move(temp)), final_(std::move(final_path)) {}

StagingWriter::~StagingWriter() {
    if (fd_ || (!committed_ && !temp_.empty())) {
        fd_.reset();
        if (!committed_) ::unlink(temp_.c_str());
    }
}

Result<void> StagingWriter::write(std::span<const std::byte> data) {
    if (auto r = write_all(fd_.get(), {reinterpret_cast<const char*>(data.data()), data.size()}, temp_.string()); !r)
        return r;
    written_ += data.size();
    return written_ - kicked_ >= writeback_window ? write_behind() : Result<void>();
}

Result<void> StagingWriter::write_behind() {
    const auto start = static_cast<off64_t>(kicked_), len = static_cast<off64_t>(written_ - kicked_);
    if (::sync_file_range(fd_.get(), start, len, SYNC_FILE_RANGE_WRITE) != 0)
        return sys_error("sync_file_range " + temp_.string());
    if (kicked_ >= writeback_window) {
        const auto prev = start - static_cast<off64_t>(writeback_window);
        const auto flags = SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER;
        if (::sync_file_range(fd_.get(), prev, static_cast<off64_t>(writeback_window), flags) != 0)
            return sys_error("sync_file_range " + temp_.string());
        ::posix_fadvise(fd_.get(), prev, static_cast<off_t>(writeback_window), POSIX_FADV_DONTNEED);
    }
    kicked_ = written_;
    return {};
}

Result<void> StagingWriter::sync_data() {
    if (::fsync(fd_.get()) != 0) return sys_error("fsync " + temp_.string());
    fd_.reset();
    return {};
}

Result<void> StagingWriter::make_dir() {
    const fs::path dir = final_.parent_path();
    if (::mkdir(dir.c_str(), 0750) == 0) return fsync_dir(dir.parent_path());
    if (errno != EEXIST) return sys_error("mkdir " + dir.string());
    return {};
}

// The temp name needs no directory fsync of its own: a crash that brings it
// back beside the final name only leaves a second link, which reconcile drops.
Result<void> StagingWriter::rename_in() {
    if (::renameat2(AT_FDCWD, temp_.c_str(), AT_FDCWD, final_.c_str(), RENAME_NOREPLACE) != 0)
        return sys_error("rename " + temp_.string() + " to " + final_.string());
    committed_ = true;
    return {};
}

Result<void> StagingWriter::commit() {
    if (auto r = sync_data(); !r) return r;
    if (auto r = make_dir(); !r) return r;
    if (auto r = rename_in(); !r) return r;
    return fsync_dir(final_.parent_path());
}

Result<void> StagingArea::commit_group(std::span<StagingWriter> writers, std::size_t& committed) {
    committed = 0;
    Result<void> stopped;
    std::size_t renamed = 0;
    std::set<fs::path> dirs;
    // One syncfs makes the whole group durable with one journal commit and
    // one cache flush; an fsync per file costs a flush each even when the
    // file is already clean. A FUSE file system may not pass syncfs on to its
    // server: there every file is fsynced.
    const bool one_sync = writers.size() > 1 && !on_fuse_;
    if (one_sync && ::syncfs(writers.front().fd_.get()) != 0) return sys_error("syncfs " + root_.string());
    for (auto& w : writers) {
        if (one_sync) w.fd_.reset();
        stopped = w.fd_ ? w.sync_data() : Result<void>();
        if (stopped) stopped = w.make_dir();
        if (stopped) stopped = w.rename_in();
        if (!stopped) break;
        dirs.insert(w.final_.parent_path());
        ++renamed;
    }
    // Names are durable only once their directory is: then, and only then,
    // may the caller report them.
    for (const auto& d : dirs)
        if (auto r = fsync_dir(d); !r) return r;
    committed = renamed;
    return stopped;
}

Result<void> StagingArea::prepare() {
    if (auto r = make_dirs(root_, 0750); !r) return r;
    struct statfs fs_info {};
    constexpr long fuse_super_magic = 0x65735546;
    on_fuse_ = ::statfs(root_.c_str(), &fs_info) == 0 && fs_info.f_type == fuse_super_magic;
    if (::mkdir(temp_dir().c_str(), 0750) != 0 && errno != EEXIST) return sys_error("mkdir " + temp_dir().string());
    return {};
}

Result<StagingWriter> StagingArea::begin(const std::string& staging_name) {
    std::string flat = staging_name;
    std::replace(flat.begin(), flat.end(), '/', '_');
    fs::path temp = temp_dir() / (flat + ".part");
    ::unlink(temp.c_str());  // a leftover of an interrupted attempt in this run
    UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640));
    if (!fd) return sys_error("create " + temp.string());
    return StagingWriter(std::move(fd), std::move(temp), root_ / staging_name);
}

Result<void> StagingArea::remove(const std::string& staging_name) {
    const fs::path p = path_of(staging_name);
    if (::unlink(p.c_str()) != 0 && errno != ENOENT) return sys_error("unlink " + p.string());
    ::rmdir(p.parent_path().c_str());  // only succeeds once the docking's last file is gone
    return fsync_dir(root_);
}

Result<std::uint64_t> StagingArea::free_bytes() const {
    struct statvfs st {};
    if (::statvfs(root_.c_str(), &st) != 0) return sys_error("statvfs " + root_.string());
    return static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
}

Result<ReconcileReport> StagingArea::reconcile(const std::set<std::string>& committed_names) {
    ReconcileReport report;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(temp_dir(), ec)) {
        report.removed_temp.push_back(e.path().filename().string());
        fs::remove(e.path(), ec);
    }
    for (const auto& dir : fs::directory_iterator(root_, ec)) {
        if (dir.path() == temp_dir() || !dir.is_directory()) continue;
        for (const auto& f : fs::directory_iterator(dir.path(), ec)) {
            const std::string name = dir.path().filename().string() + "/" + f.path().filename().string();
            if (committed_names.count(name)) continue;
            report.removed_orphans.push_back(name);
            fs::remove(f.path(), ec);
        }
        ::rmdir(dir.path().c_str());  // empty dockings' dirs go; non-empty stay
    }
    if (ec) return Error{"reconcile " + root_.string() + ": " + ec.message()};
    if (auto r = fsync_dir(root_); !r) return r.error();
    return report;
}

}  // namespace dockd::staging
