// Durable file primitives: every write path that matters goes through
// temp name -> fsync -> rename -> fsync(dir), so a power cut leaves either
// the old or the new file, never a torn one.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>

#include "daemon/common/result.hpp"

namespace dockd {

class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    UniqueFd& operator=(UniqueFd&& o) noexcept {
        if (this != &o) reset(std::exchange(o.fd_, -1));
        return *this;
    }
    ~UniqueFd() { reset(); }
    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    void reset(int fd = -1);

private:
    int fd_ = -1;
};

Result<std::string> read_file(const std::filesystem::path& path);
Result<void> write_all(int fd, std::string_view data, const std::string& what);
Result<void> fsync_dir(const std::filesystem::path& dir);
// Writes content under a temp name beside path, fsyncs, renames over path, fsyncs the dir.
Result<void> write_file_atomic(const std::filesystem::path& path, std::string_view content, mode_t mode = 0644);
// A relative object key ("a/b.mp4") without "..", "." or empty parts, NUL
// or a leading '/': joined to a root it stays below it. Archive keys taken
// from documents not yet proven (dockd-verify) must pass this first.
bool is_safe_relative_key(std::string_view key);
// mkdir -p with the given mode for the directories it creates, each made
// durable (its parent fsynced) before this returns.
Result<void> make_dirs(const std::filesystem::path& dir, mode_t mode = 0755);

}  // namespace dockd
