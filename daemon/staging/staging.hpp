// The staging area: where a recorder's files land, durably, before custody
// passes to the station. A file appears under its final name only complete
// and fsynced; partial files live under .tmp/ and never survive a restart.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "daemon/common/fs.hpp"
#include "daemon/common/result.hpp"

namespace dockd::staging {

class StagingWriter {
public:
    StagingWriter(StagingWriter&&) noexcept = default;
    StagingWriter& operator=(StagingWriter&&) noexcept = default;
    ~StagingWriter();

    // Writes behind: every writeback_window bytes the kernel is asked to start
    // writing them out and the window before is waited for and dropped from
    // the page cache, so the final fsync has little left and a large copy
    // never floods memory with dirty pages.
    Result<void> write(std::span<const std::byte> data);
    // fsync, rename into place (never over an existing name), fsync the directory.
    Result<void> commit();
    std::uint64_t bytes_written() const { return written_; }
    static constexpr std::uint64_t writeback_window = 8ull << 20;

private:
    friend class StagingArea;
    StagingWriter(UniqueFd fd, std::filesystem::path temp, std::filesystem::path final_path);
    Result<void> write_behind();
    Result<void> sync_data();  // fsync of the temp file
    Result<void> make_dir();   // the final name's directory, durable when new
    Result<void> rename_in();  // never over an existing name
    UniqueFd fd_;
    std::filesystem::path temp_, final_;
    std::uint64_t written_ = 0, kicked_ = 0;
    bool committed_ = false;
};

struct ReconcileReport {
    std::vector<std::string> removed_temp;     // partial copies from an interrupted run
    std::vector<std::string> removed_orphans;  // complete files never committed to the store
};

class StagingArea {
public:
    explicit StagingArea(std::filesystem::path root) : root_(std::move(root)) {}

    Result<void> prepare();
    // staging_name is "<docking_id>/<n>", made by the station, never by a recorder.
    Result<StagingWriter> begin(const std::string& staging_name);
    // Commits many small files at once (DESIGN §3 order, amortised): each
    // file's data made durable, all renamed, each directory fsynced once.
    // On an error, the files renamed so far stay (complete and durable) and
    // `committed` says how many; the caller records only those.
    Result<void> commit_group(std::span<StagingWriter> writers, std::size_t& committed);
    std::filesystem::path path_of(const std::string& staging_name) const { return root_ / staging_name; }
    Result<void> remove(const std::string& staging_name);
    Result<std::uint64_t> free_bytes() const;
    // Brings the directory in line with the store: temp files go, files that
    // no committed row names go (their recorder still holds them).
    Result<ReconcileReport> reconcile(const std::set<std::string>& committed_names);
    const std::filesystem::path& root() const { return root_; }

private:
    std::filesystem::path temp_dir() const { return root_ / ".tmp"; }
    std::filesystem::path root_;
    bool on_fuse_ = false;  // syncfs cannot be trusted there: fsync every file
};

}  // namespace dockd::staging
