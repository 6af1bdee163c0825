// powercutfs: a pass-through FUSE file system that loses, on command, what
// a disk would lose in a power cut. Test tool for dockd's durability order
// (DESIGN §3); the same idea as Jepsen's LazyFS, written small.
//
//   powercutfs [--cut-at-sync N] BACKING MOUNTPOINT [-o fuse-options]
//   kill -USR1 PID      the power cut: from now on nothing becomes durable
//   --cut-at-sync N     the power goes as the Nth fsync/fsyncdir starts (that
//                       one fails): BACKING.powercut/cut then names the file
//   fusermount3 -u MOUNTPOINT
//                       after a cut, BACKING is rolled back to what was
//                       durable at the cut before the process exits; without
//                       a cut the unmount keeps everything (clean shutdown)
//
// Model (worst case for "did you sync", per POSIX):
// - Data: bytes written, and size changes (truncate, extending writes,
//   fallocate), since a file's last fsync/fdatasync are lost. fdatasync
//   counts as fsync. Writes through O_SYNC/O_DSYNC are durable on return.
// - Names: create, mkdir, mknod, symlink, link, unlink, rmdir and rename are
//   durable once the directory holding the name is fsynced. A rename adds
//   the new name when the new directory is synced and drops the old one when
//   the old directory is; a file fsynced but never named durably is lost, a
//   name synced before its file's data holds an empty (or old) file.
// - Un-synced changes are all dropped: never a subset, no torn or reordered
//   writes. So this is stricter than ext4 data=ordered (which writes a new
//   file's data before committing its name and commits in order) and tests
//   whether every durability point is there, not how writes are ordered.
// Limits:
// - The kernel passes neither sync_file_range(2) nor syncfs(2)/sync(2) to a
//   FUSE file system like this one (checked: none reaches it; FUSE_SYNCFS is
//   for virtiofs), so neither makes anything durable here. That errs on the strict side: sync_file_range promises no
//   durability after a crash (see its man page; dockd ends with fsync).
// - Mode and owner changes are durable at once; timestamps are not modelled
//   (rolled-back files keep their live times, re-created directories get new
//   ones). Extended attributes are not supported; POSIX locks stay in the
//   kernel (one mount, one machine).
// - Renaming over an existing directory is refused (EPERM); nothing dockd or
//   SQLite does needs it.
// - Inode numbers identify files, so a file's last name is never removed
//   while mounted: it moves to BACKING.powercut/graveyard (same file system,
//   checked) until the unmount.
#define FUSE_USE_VERSION 35
#include <dirent.h>
#include <fcntl.h>
#include <fuse.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <atomic>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "tests/powercut/durable_state.hpp"

namespace {

struct Layer {
    int root = -1;
    int graveyard = -1;
    std::mutex mutex;  // every change to the model, and the change it guards
    std::atomic<bool> cut{false};
    std::uint64_t syncs = 0;        // fsync and fsyncdir calls so far
    std::uint64_t cut_at_sync = 0;  // 0: only SIGUSR1 cuts
    std::string marker;             // written by a cut at a sync
    std::unique_ptr<powercut::DurableState> model;
};
Layer layer;

struct Handle {
    int fd;
    bool sync;  // O_SYNC or O_DSYNC: each write is durable on return
};

const char* rel(const char* path) {
    return path[1] ? path + 1 : ".";
}

int err(int rc) {
    return rc < 0 ? -errno : rc;
}

Handle* handle(fuse_file_info* fi) {
    return reinterpret_cast<Handle*>(fi->fh);
}

void on_cut(int) {
    layer.cut = true;
    const char msg[] = "powercutfs: power cut\n";
    (void)!::write(2, msg, sizeof msg - 1);
}

// Keeps an inode alive under a name nobody sees, so its number cannot be
// reused while the durable image may still name it.
int bury(const char* path, bool keep_name) {
    struct stat st {};
    if (::fstatat(layer.root, rel(path), &st, AT_SYMLINK_NOFOLLOW) != 0) return -errno;
    if (!S_ISREG(st.st_mode) || st.st_nlink > 1) return 1;
    const std::string grave = "f" + std::to_string(st.st_ino);
    const int rc = keep_name ? ::linkat(layer.root, rel(path), layer.graveyard, grave.c_str(), 0)
                             : ::renameat(layer.root, rel(path), layer.graveyard, grave.c_str());
    return rc == 0 ? 0 : -errno;
}

int do_getattr(const char* path, struct stat* st, fuse_file_info* fi) {
    if (fi) return err(::fstat(handle(fi)->fd, st));
    return err(::fstatat(layer.root, rel(path), st, AT_SYMLINK_NOFOLLOW));
}

int do_readlink(const char* path, char* buf, size_t size) {
    const ssize_t n = ::readlinkat(layer.root, rel(path), buf, size - 1);
    if (n < 0) return -errno;
    buf[n] = '\0';
    return 0;
}

int do_unlink(const char* path) {
    std::lock_guard lock(layer.mutex);
    const int buried = bury(path, false);
    if (buried <= 0) return buried;
    return err(::unlinkat(layer.root, rel(path), 0));
}

int do_rmdir(const char* path) {
    std::lock_guard lock(layer.mutex);
    const int fd = ::openat(layer.root, rel(path), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return -errno;
    struct stat st {};
    ::fstat(fd, &st);
    DIR* d = ::fdopendir(fd);
    bool empty = true;
    while (const dirent* de = ::readdir(d))
        empty = empty && (std::strcmp(de->d_name, ".") == 0 || std::strcmp(de->d_name, "..") == 0);
    ::closedir(d);
    if (!empty) return -ENOTEMPTY;
    const std::string grave = "d" + std::to_string(st.st_ino);
    return err(::renameat(layer.root, rel(path), layer.graveyard, grave.c_str()));
}

int do_rename(const char* from, const char* to, unsigned int flags) {
    std::lock_guard lock(layer.mutex);
    struct stat src {};
    struct stat dst {};
    if (::fstatat(layer.root, rel(from), &src, AT_SYMLINK_NOFOLLOW) != 0) return -errno;
    const bool replaces = !(flags & (RENAME_NOREPLACE | RENAME_EXCHANGE)) &&
                          ::fstatat(layer.root, rel(to), &dst, AT_SYMLINK_NOFOLLOW) == 0 && dst.st_ino != src.st_ino;
    if (replaces && S_ISDIR(dst.st_mode)) return -EPERM;
    if (replaces)
        if (const int buried = bury(to, true); buried < 0) return buried;
    return err(::renameat2(layer.root, rel(from), layer.root, rel(to), flags));
}

int do_chmod(const char* path, mode_t mode, fuse_file_info* fi) {
    if (fi) return err(::fchmod(handle(fi)->fd, mode));
    return err(::fchmodat(layer.root, rel(path), mode, 0));
}

int do_chown(const char* path, uid_t uid, gid_t gid, fuse_file_info* fi) {
    if (fi) return err(::fchown(handle(fi)->fd, uid, gid));
    return err(::fchownat(layer.root, rel(path), uid, gid, AT_SYMLINK_NOFOLLOW));
}

int truncate_fd(int fd, off_t size) {
    std::lock_guard lock(layer.mutex);
    layer.model->before_truncate(fd, static_cast<std::uint64_t>(size));
    return err(::ftruncate(fd, size));
}

int do_truncate(const char* path, off_t size, fuse_file_info* fi) {
    if (fi) return truncate_fd(handle(fi)->fd, size);
    const int fd = ::openat(layer.root, rel(path), O_RDWR | O_CLOEXEC);
    if (fd < 0) return -errno;
    const int rc = truncate_fd(fd, size);
    ::close(fd);
    return rc;
}

// The kernel sends offsets itself (appends included) and O_DIRECT needs no
// alignment here, so the backing file is opened without them; O_TRUNC goes
// through the model like any truncate, and the model reads what it saves.
int open_backing(const char* path, mode_t mode, fuse_file_info* fi) {
    int flags = fi->flags & ~(O_TRUNC | O_APPEND | O_DIRECT);
    if ((flags & O_ACCMODE) == O_WRONLY) flags = (flags & ~O_ACCMODE) | O_RDWR;
    const int fd = ::openat(layer.root, rel(path), flags | O_CLOEXEC, mode);
    if (fd < 0) return -errno;
    if (fi->flags & O_TRUNC)
        if (const int rc = truncate_fd(fd, 0); rc < 0) {
            ::close(fd);
            return rc;
        }
    fi->fh = reinterpret_cast<std::uint64_t>(new Handle{fd, (fi->flags & (O_SYNC | O_DSYNC)) != 0});
    return 0;
}

// Every durability point passes here. After the cut the disk is gone: a sync
// fails and changes nothing. With --cut-at-sync the power goes as that sync
// starts, and the marker tells the test where.
bool sync_allowed(int fd) {
    if (layer.cut) return false;
    if (++layer.syncs != layer.cut_at_sync) return true;
    char target[PATH_MAX] = "?";
    const ssize_t n = ::readlink(("/proc/self/fd/" + std::to_string(fd)).c_str(), target, sizeof target - 1);
    target[n > 0 ? n : 1] = '\0';
    // The marker first: a test that reads the API and then finds no marker
    // knows that what it read was said before the power went.
    std::ofstream(layer.marker) << target << "\n";
    layer.cut = true;
    std::cerr << "powercutfs: power cut at sync " << layer.syncs << ": " << target << std::endl;
    return false;
}

int do_write(const char*, const char* buf, size_t size, off_t offset, fuse_file_info* fi) {
    std::lock_guard lock(layer.mutex);
    const Handle* h = handle(fi);
    layer.model->before_write(h->fd, static_cast<std::uint64_t>(offset), size);
    const ssize_t n = ::pwrite(h->fd, buf, size, offset);
    if (n >= 0 && h->sync && sync_allowed(h->fd)) layer.model->file_synced(h->fd);
    return err(static_cast<int>(n));
}

int do_release(const char*, fuse_file_info* fi) {
    ::close(handle(fi)->fd);
    delete handle(fi);
    return 0;
}

int do_fsync(const char*, int, fuse_file_info* fi) {
    std::lock_guard lock(layer.mutex);
    if (!sync_allowed(handle(fi)->fd)) return -EIO;
    layer.model->file_synced(handle(fi)->fd);
    return 0;
}

// Directories stay open from opendir to releasedir: with nullpath_ok the
// path of an open directory is not passed, its descriptor is.
int do_opendir(const char* path, fuse_file_info* fi) {
    const int fd = ::openat(layer.root, rel(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -errno;
    fi->fh = reinterpret_cast<std::uint64_t>(new Handle{fd, false});
    return 0;
}

int do_readdir(const char*, void* buf, fuse_fill_dir_t fill, off_t, fuse_file_info* fi, fuse_readdir_flags) {
    DIR* d = ::fdopendir(::dup(handle(fi)->fd));
    if (!d) return -errno;
    ::rewinddir(d);  // the duplicate shares its offset with the open directory
    while (const dirent* de = ::readdir(d)) {
        struct stat st {};
        st.st_ino = de->d_ino;
        st.st_mode = static_cast<mode_t>(DTTOIF(de->d_type));
        if (fill(buf, de->d_name, &st, 0, static_cast<fuse_fill_dir_flags>(0))) break;
    }
    ::closedir(d);
    return 0;
}

int do_fsyncdir(const char*, int, fuse_file_info* fi) {
    std::lock_guard lock(layer.mutex);
    if (!sync_allowed(handle(fi)->fd)) return -EIO;
    layer.model->dir_synced(handle(fi)->fd);
    return 0;
}

int do_utimens(const char* path, const timespec tv[2], fuse_file_info* fi) {
    if (fi) return err(::futimens(handle(fi)->fd, tv));
    return err(::utimensat(layer.root, rel(path), tv, AT_SYMLINK_NOFOLLOW));
}

// Plain allocation only adds zeros past the durable size; punching, zeroing
// or shifting a range may change any byte from `offset` on.
int do_fallocate(const char*, int mode, off_t offset, off_t length, fuse_file_info* fi) {
    std::lock_guard lock(layer.mutex);
    const int fd = handle(fi)->fd;
    if (mode & ~FALLOC_FL_KEEP_SIZE) layer.model->before_truncate(fd, static_cast<std::uint64_t>(offset));
    return err(::fallocate(fd, mode, offset, length));
}

void* do_init(fuse_conn_info* conn, fuse_config* cfg) {
    cfg->use_ino = 1;
    cfg->nullpath_ok = 1;                     // open files keep working once unlinked ...
    cfg->hard_remove = 1;                     // ... without .fuse_hidden names in the durable listings
    conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;  // every write reaches do_write at once
    return nullptr;
}

// Plain pass-through operations inline; those the model must see are above.
fuse_operations operations() {
    fuse_operations ops{};
    ops.getattr = do_getattr;
    ops.readlink = do_readlink;
    ops.mknod = [](const char* path, mode_t mode, dev_t rdev) {
        return err(::mknodat(layer.root, rel(path), mode, rdev));
    };
    ops.mkdir = [](const char* path, mode_t mode) { return err(::mkdirat(layer.root, rel(path), mode)); };
    ops.unlink = do_unlink;
    ops.rmdir = do_rmdir;
    ops.symlink = [](const char* target, const char* path) { return err(::symlinkat(target, layer.root, rel(path))); };
    ops.rename = do_rename;
    ops.link = [](const char* from, const char* to) {
        return err(::linkat(layer.root, rel(from), layer.root, rel(to), 0));
    };
    ops.chmod = do_chmod;
    ops.chown = do_chown;
    ops.truncate = do_truncate;
    ops.open = [](const char* path, fuse_file_info* fi) { return open_backing(path, 0, fi); };
    ops.read = [](const char*, char* buf, size_t size, off_t offset, fuse_file_info* fi) {
        return err(static_cast<int>(::pread(handle(fi)->fd, buf, size, offset)));
    };
    ops.write = do_write;
    ops.statfs = [](const char*, struct statvfs* st) { return err(::fstatvfs(layer.root, st)); };
    ops.release = do_release;
    ops.fsync = do_fsync;
    ops.opendir = do_opendir;
    ops.readdir = do_readdir;
    ops.releasedir = do_release;
    ops.fsyncdir = do_fsyncdir;
    ops.init = do_init;
    ops.access = [](const char* path, int mask) { return err(::faccessat(layer.root, rel(path), mask, 0)); };
    ops.create = open_backing;
    ops.utimens = do_utimens;
    ops.fallocate = do_fallocate;
    return ops;
}

}  // namespace

int main(int argc, char* argv[]) {
    namespace fs = std::filesystem;
    int first = 1;
    if (argc > 2 && std::string_view(argv[1]) == "--cut-at-sync") {
        layer.cut_at_sync = std::strtoull(argv[2], nullptr, 10);
        first = 3;
    }
    if (argc - first < 2) {
        std::cerr << "usage: powercutfs [--cut-at-sync N] BACKING MOUNTPOINT [-o fuse-options]\n";
        return 2;
    }
    char real[PATH_MAX];
    if (!::realpath(argv[first], real)) {
        std::cerr << "powercutfs: " << argv[first] << ": " << std::strerror(errno) << "\n";
        return 2;
    }
    const std::string backing = real, work = backing + ".powercut";
    std::error_code ec;
    fs::remove_all(work, ec);
    fs::create_directories(work + "/graveyard", ec);
    layer.root = ::open(backing.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    layer.graveyard = ::open((work + "/graveyard").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat a {};
    struct stat b {};
    if (layer.root < 0 || layer.graveyard < 0 || ::fstat(layer.root, &a) != 0 || ::fstat(layer.graveyard, &b) != 0 ||
        a.st_dev != b.st_dev) {
        std::cerr << "powercutfs: " << backing << " and " << work << " must be directories on one file system\n";
        return 2;
    }
    layer.marker = work + "/cut";
    layer.model = std::make_unique<powercut::DurableState>(backing, work + "/graveyard", work + "/rebuild");
    layer.model->snapshot_all();
    ::signal(SIGUSR1, on_cut);

    std::vector<char*> args{argv[0], argv[first + 1], const_cast<char*>("-f")};
    for (int i = first + 2; i < argc; ++i) args.push_back(argv[i]);
    const fuse_operations ops = operations();
    const int rc = fuse_main(static_cast<int>(args.size()), args.data(), &ops, nullptr);

    bool ok = true;
    std::cerr << "powercutfs: " << layer.syncs << " syncs\n";
    if (layer.cut) {
        ok = layer.model->roll_back();
        std::cerr << "powercutfs: " << backing << " rolled back to its durable state\n";
    }
    ::close(layer.graveyard);
    fs::remove_all(work, ec);
    return rc != 0 ? rc : (ok ? 0 : 1);
}
