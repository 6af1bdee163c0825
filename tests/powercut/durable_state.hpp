// What a disk would keep if power failed now, for powercutfs (the model and
// its limits are described at the top of powercutfs.cpp).
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>

namespace powercut {

// One name in a directory as of that directory's last fsync.
struct Entry {
    ino_t ino = 0;
    mode_t mode = 0;
    uid_t uid = 0;
    gid_t gid = 0;
    dev_t rdev = 0;
    std::string symlink_target;
};

// The durable image of a tree, kept beside the live tree that every
// operation changes at once. Callers serialise all calls (one mutex).
//
// Data: before the first change to a file since its last fsync, its size is
// remembered, and before any byte below that size is overwritten (or cut off
// by a truncate) its 4 KiB page is saved: an undo log that fsync discards.
// Names: each directory's listing (name -> inode) as of its last fsync.
// Inodes are told apart by number, so the file system never lets a number be
// reused while this model lives: last links go to a graveyard instead of away.
class DurableState {
public:
    DurableState(std::string backing, std::string graveyard, std::string rebuild);

    // At mount everything present is durable (the disk after a clean boot).
    void snapshot_all();

    // Before bytes [offset, offset + length) of the open file `fd` change.
    void before_write(int fd, std::uint64_t offset, std::uint64_t length);
    // Before `fd` is cut to `size` bytes (or a range from `size` on is
    // punched, zeroed or shifted).
    void before_truncate(int fd, std::uint64_t size);
    // fsync/fdatasync of the file (or a write through O_SYNC/O_DSYNC).
    void file_synced(int fd);
    // fsync of the directory `dir_fd`: its current listing becomes durable.
    void dir_synced(int dir_fd);

    // The power cut, once nothing uses the live tree any more: un-synced
    // bytes are put back, then the backing tree is replaced by the durable
    // names. Returns false (with reasons on stderr) if an inode the durable
    // image names cannot be found.
    bool roll_back();

private:
    struct Undo {
        std::uint64_t durable_size = 0;
        std::map<std::uint64_t, std::string> pages;  // offset -> bytes as of the last fsync
    };
    Undo& undo_of(int fd);
    void save_range(int fd, Undo& u, std::uint64_t from, std::uint64_t to);
    std::unordered_map<ino_t, std::string> locate_live() const;
    bool materialize(ino_t dir, const std::string& out, const std::unordered_map<ino_t, std::string>& live,
                     std::map<ino_t, bool>& seen);

    std::string backing_, graveyard_, rebuild_;
    ino_t root_ino_ = 0;
    bool unsaved_ = false;
    std::unordered_map<ino_t, Undo> undo_;
    std::unordered_map<ino_t, std::map<std::string, Entry>> dirs_;
};

}  // namespace powercut
