// powercutfs keeps exactly what was synced: each case writes through the
// mount, cuts the power and reads what the backing directory kept.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace {
namespace fs = std::filesystem;

void write_file(const fs::path& p, const std::string& content, bool sync, int flags = O_TRUNC) {
    const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | flags, 0640);
    ASSERT_GE(fd, 0) << p;
    ASSERT_EQ(::write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
    if (sync) {
        ASSERT_EQ(::fsync(fd), 0);
    }
    ::close(fd);
}

void sync_dir(const fs::path& p) {
    const int fd = ::open(p.c_str(), O_RDONLY | O_DIRECTORY);
    ASSERT_GE(fd, 0) << p;
    ASSERT_EQ(::fsync(fd), 0) << p;
    ::close(fd);
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// One powercutfs mount over a fresh backing directory.
class PowercutFs : public ::testing::Test {
protected:
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "powercutfs needs root to mount FUSE";
        if (::access("/dev/fuse", R_OK | W_OK) != 0) GTEST_SKIP() << "no /dev/fuse";
        char tmpl[] = "/tmp/powercutfs-test-XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        backing_ = dir_ / "backing";
        mnt_ = dir_ / "mnt";
        fs::create_directories(backing_);
        fs::create_directories(mnt_);
        mount();
    }

    void TearDown() override {
        if (pid_ > 0) {
            std::system(("fusermount3 -u -z " + mnt_.string() + " 2>/dev/null").c_str());
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        if (!dir_.empty()) fs::remove_all(dir_);
    }

    // cut_at_sync: the layer cuts the power itself as that fsync starts.
    void mount(const std::string& cut_at_sync = "") {
        pid_ = ::fork();
        if (pid_ == 0) {
            if (cut_at_sync.empty())
                ::execl(POWERCUTFS, POWERCUTFS, backing_.c_str(), mnt_.c_str(), static_cast<char*>(nullptr));
            else
                ::execl(POWERCUTFS, POWERCUTFS, "--cut-at-sync", cut_at_sync.c_str(), backing_.c_str(), mnt_.c_str(),
                        static_cast<char*>(nullptr));
            ::_exit(127);
        }
        struct stat parent {
        }, m{};
        ::stat(dir_.c_str(), &parent);
        for (int i = 0; i < 100; ++i) {
            if (::stat(mnt_.c_str(), &m) == 0 && m.st_dev != parent.st_dev) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        FAIL() << "powercutfs did not mount " << mnt_;
    }

    // Unmounts; with `cut`, first drops everything not durable.
    void unmount(bool cut) {
        if (cut) {
            ASSERT_EQ(::kill(pid_, SIGUSR1), 0);
        }
        ASSERT_EQ(std::system(("fusermount3 -u " + mnt_.string()).c_str()), 0);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "powercutfs exited with " << status;
    }

    // A file with `content`, fsynced and named durably.
    void durable_file(const std::string& name, const std::string& content) {
        write_file(mnt_ / name, content, true);
        sync_dir(mnt_);
    }

    fs::path dir_, backing_, mnt_;
    pid_t pid_ = -1;
};

TEST_F(PowercutFs, UnsyncedWriteIsLost) {
    durable_file("a", "durable");
    write_file(mnt_ / "a", "+lost", false, O_APPEND);
    write_file(mnt_ / "b", "never synced", false);
    sync_dir(mnt_);
    unmount(true);
    EXPECT_EQ(read_file(backing_ / "a"), "durable");
    EXPECT_EQ(read_file(backing_ / "b"), "") << "named durably, its data never synced";
}

TEST_F(PowercutFs, FsyncedWriteIsKept) {
    durable_file("a", "durable");
    write_file(mnt_ / "a", "+kept", true, O_APPEND);
    unmount(true);
    EXPECT_EQ(read_file(backing_ / "a"), "durable+kept");
}

TEST_F(PowercutFs, OverwriteInPlaceWithoutFsyncIsUndone) {
    durable_file("db", std::string(10000, 'x'));
    const int fd = ::open((mnt_ / "db").c_str(), O_WRONLY);
    ASSERT_EQ(::pwrite(fd, "yyyy", 4, 4094), 4);  // across a page boundary
    ASSERT_EQ(::ftruncate(fd, 5000), 0);
    ASSERT_EQ(::ftruncate(fd, 12000), 0);
    ::close(fd);
    unmount(true);
    EXPECT_EQ(read_file(backing_ / "db"), std::string(10000, 'x'));
}

TEST_F(PowercutFs, SyncedFileWithoutDirFsyncIsLost) {
    write_file(mnt_ / "new", "data", true);
    unmount(true);
    EXPECT_FALSE(fs::exists(backing_ / "new"));
}

TEST_F(PowercutFs, RenameWithoutDirFsyncIsLost) {
    durable_file("a", "content");
    fs::rename(mnt_ / "a", mnt_ / "b");
    unmount(true);
    EXPECT_EQ(read_file(backing_ / "a"), "content");
    EXPECT_FALSE(fs::exists(backing_ / "b"));
}

TEST_F(PowercutFs, RenameWithDirFsyncIsKept) {
    durable_file("a", "content");
    fs::rename(mnt_ / "a", mnt_ / "b");
    sync_dir(mnt_);
    unmount(true);
    EXPECT_FALSE(fs::exists(backing_ / "a"));
    EXPECT_EQ(read_file(backing_ / "b"), "content");
}

TEST_F(PowercutFs, UnlinkWithoutDirFsyncIsUndone) {
    durable_file("a", "content");
    fs::remove(mnt_ / "a");
    write_file(mnt_ / "c", "reuses the freed inode number, if any", true);
    unmount(true);
    EXPECT_EQ(read_file(backing_ / "a"), "content");
    EXPECT_FALSE(fs::exists(backing_ / "c"));
}

// dockd's staging commit: temp file, fsync, renameat2(RENAME_NOREPLACE) into
// a new directory, fsync that directory and its parent.
TEST_F(PowercutFs, StagingOrderSurvivesAndNewDirectoryNeedsItsParentSynced) {
    fs::create_directories(mnt_ / "staging" / ".tmp");
    sync_dir(mnt_);
    sync_dir(mnt_ / "staging");
    write_file(mnt_ / "staging" / ".tmp" / "f.part", "evidence", true);
    fs::create_directory(mnt_ / "staging" / "d1");
    sync_dir(mnt_ / "staging");
    ASSERT_EQ(::renameat2(AT_FDCWD, (mnt_ / "staging/.tmp/f.part").c_str(), AT_FDCWD, (mnt_ / "staging/d1/f").c_str(),
                          RENAME_NOREPLACE),
              0);
    sync_dir(mnt_ / "staging" / "d1");
    fs::create_directories(mnt_ / "staging" / "d2");  // named only in an unsynced parent
    write_file(mnt_ / "staging" / "d2" / "g", "lost with its directory", true);
    sync_dir(mnt_ / "staging" / "d2");
    unmount(true);
    EXPECT_EQ(read_file(backing_ / "staging/d1/f"), "evidence");
    EXPECT_FALSE(fs::exists(backing_ / "staging/d2"));
}

TEST_F(PowercutFs, CleanUnmountKeepsEverything) {
    write_file(mnt_ / "a", "never synced", false);
    unmount(false);
    EXPECT_EQ(read_file(backing_ / "a"), "never synced");
}

TEST_F(PowercutFs, RemountedTreeStartsDurable) {
    write_file(mnt_ / "a", "kept by a clean unmount", false);
    unmount(false);
    mount();
    write_file(mnt_ / "a", "lost", false);
    unmount(true);
    EXPECT_EQ(read_file(backing_ / "a"), "kept by a clean unmount");
}

TEST_F(PowercutFs, CutAtSyncFailsThatSyncAndKeepsOnlyWhatCameBefore) {
    unmount(false);
    mount("2");
    write_file(mnt_ / "a", "synced before the cut", true);  // sync 1
    const int dir = ::open(mnt_.c_str(), O_RDONLY | O_DIRECTORY);
    EXPECT_NE(::fsync(dir), 0) << "sync 2: the power went as it started";
    EXPECT_EQ(errno, EIO);
    ::close(dir);
    EXPECT_EQ(read_file(backing_.string() + ".powercut/cut"), backing_.string() + "\n")
        << "the marker names what was being synced";
    unmount(false);  // already cut: the unmount rolls back
    EXPECT_FALSE(fs::exists(backing_ / "a"));
}

}  // namespace
