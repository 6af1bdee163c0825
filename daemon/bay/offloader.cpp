#include "daemon/bay/offloader.hpp"

#include "daemon/bay/gates.hpp"
#include "daemon/common/time.hpp"
#include "daemon/ingest/copier.hpp"
#include "daemon/ingest/device_path.hpp"

namespace dockd::bay {
namespace {

// A file this small is committed with others; one this large gets its own
// fsync anyway. The group bounds keep the unsynced data and the wait before
// "staged" small.
constexpr std::uint64_t small_file_bytes = 8ull << 20;
constexpr std::size_t group_max_files = 256;
constexpr std::uint64_t group_max_bytes = 64ull << 20;
constexpr auto group_max_wait = std::chrono::seconds(1);

struct Copied {
    staging::StagingWriter writer;
    custody::StagedFile file;
    std::size_t index;  // into the group's results
};

std::optional<std::string> disk_low(const CopyJob& job, const drivers::MediaEntry& entry) {
    const auto free = job.ctx.staging.free_bytes();
    if (!free) return free.error().message;
    if (*free >= entry.size_bytes + job.ctx.cfg->ingest.min_free_bytes) return std::nullopt;
    return "staging disk low: " + std::to_string(*free) + " bytes free, file needs " +
           std::to_string(entry.size_bytes) + " + ingest.min_free_bytes";
}

custody::StagedFile staged_file(const CopyJob& job, const drivers::MediaEntry& entry, const std::string& staging_name,
                                const std::string& sha256) {
    // Only a measured, plausible offset corrects the time (DESIGN §12).
    const auto recorded_at = corrected_time(entry.modified_at, job.offset_applied_ms);
    const auto ingested_at = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
    custody::StagedFile f;
    f.docking_id = job.docking_id;
    f.serial = job.serial;
    f.device_path = entry.device_path;
    f.size = entry.size_bytes;
    f.device_mtime_ms = to_unix_ms(entry.modified_at);
    f.sha256 = sha256;
    f.staging_name = staging_name;
    f.object_key = ingest::object_key(job.serial, filing_time(recorded_at, ingested_at), sha256, entry.device_path);
    f.recorded_at_device = rfc3339(entry.modified_at);
    f.recorded_at = recorded_at ? rfc3339(*recorded_at) : std::nullopt;
    f.ingested_at = rfc3339(ingested_at).value_or("");
    f.important = entry.important;
    return f;
}

// Copies one file into a temp staging file; nothing is committed here.
Result<Copied> copy_one(const CopyJob& job, const drivers::MediaEntry& entry, std::size_t index,
                        std::span<std::byte> buffer, Outcome& failure) {
    failure = Outcome::failed;
    const std::string staging_name = job.docking_id + "/" + std::to_string(index);
    const std::string shown = ingest::printable_path(entry.device_path);
    auto writer = job.ctx.staging.begin(staging_name);
    if (!writer) return writer.error();
    auto reader = job.recorder.open_media(entry);
    if (!reader && reader.error().sys_errno == ENOENT) return Error{shown + ": vanished before it was copied"};
    if (!reader) return Error{shown + ": open: " + reader.error().message};
    const auto base = job.bytes_done.load();
    auto copied = ingest::copy_and_hash(
        **reader, *writer, buffer, job.cancelled, [&](std::uint64_t done) { job.bytes_done = base + done; },
        entry.size_bytes);
    if (!copied) {
        if (copied.error().sys_errno == ENOSPC) failure = Outcome::disk_low;
        return Error{shown + ": " + copied.error().message};
    }
    if (copied->bytes != entry.size_bytes)
        return Error{shown + ": listed as " + std::to_string(entry.size_bytes) + " bytes, read " +
                     std::to_string(copied->bytes)};
    return Copied{std::move(*writer), staged_file(job, entry, staging_name, copied->sha256), 0};
}

// Durable first, then one transaction: a file is reported staged only once
// both hold.
void commit(const CopyJob& job, std::vector<Copied>& group, std::vector<FileResult>& results) {
    if (group.empty()) return;
    std::vector<staging::StagingWriter> writers;
    for (auto& c : group) writers.push_back(std::move(c.writer));
    std::size_t durable = 0;
    auto r = job.ctx.staging.commit_group(writers, durable);
    std::vector<custody::StagedFile> files;
    for (std::size_t k = 0; k < durable; ++k) files.push_back(group[k].file);
    const auto ids = job.ctx.store.commit_staged(files, job.ctx.target_urls());
    for (std::size_t k = 0; k < group.size(); ++k) {
        auto& out = results[group[k].index];
        if (k < durable) {
            out = {Outcome::staged, ids[k], ""};
            continue;
        }
        const bool full = r.error().sys_errno == ENOSPC;
        out = {full ? Outcome::disk_low : Outcome::failed, std::nullopt, r.error().message};
        if (!full)
            job.ctx.store.record_failed(job.docking_id, job.serial, ingest::printable_path(group[k].file.device_path),
                                        group[k].file.size, group[k].file.device_mtime_ms, r.error().message);
    }
    group.clear();
}

}  // namespace

std::size_t group_end(std::span<const drivers::MediaEntry> entries, std::size_t first) {
    if (first >= entries.size() || entries[first].size_bytes > small_file_bytes) return first + 1;
    std::size_t end = first;
    std::uint64_t bytes = 0;
    while (end < entries.size() && end - first < group_max_files && entries[end].size_bytes <= small_file_bytes &&
           bytes + entries[end].size_bytes <= group_max_bytes)
        bytes += entries[end++].size_bytes;
    return std::max(end, first + 1);
}

std::vector<FileResult> copy_group(const CopyJob& job, std::span<const drivers::MediaEntry> entries, std::size_t first,
                                   std::size_t end, std::span<std::byte> buffer) {
    std::vector<FileResult> results;
    std::vector<Copied> group;
    const auto commit_by = std::chrono::steady_clock::now() + group_max_wait;
    for (std::size_t i = first; i < end && !job.cancelled; ++i) {
        if (!group.empty() && std::chrono::steady_clock::now() > commit_by) break;
        const auto& entry = entries[i];
        if (auto known = job.ctx.store.find_file(job.serial, entry.device_path, entry.size_bytes,
                                                 to_unix_ms(entry.modified_at))) {
            results.push_back(
                {known->state == custody::FileState::refused ? Outcome::refused_before : Outcome::already_staged,
                 known->id, ""});
            continue;
        }
        if (auto low = disk_low(job, entry)) {
            results.push_back({Outcome::disk_low, std::nullopt, *low});
            break;
        }
        Outcome failure;
        auto copied = copy_one(job, entry, i, buffer, failure);
        results.push_back({failure, std::nullopt, copied ? "" : copied.error().message});
        if (copied) {
            copied->index = results.size() - 1;
            group.push_back(std::move(*copied));
            ++job.files_done;
            continue;
        }
        if (failure == Outcome::disk_low || job.cancelled) break;
        job.ctx.store.record_failed(job.docking_id, job.serial, ingest::printable_path(entry.device_path),
                                    entry.size_bytes, to_unix_ms(entry.modified_at), copied.error().message);
    }
    // Files copied completely before a removal are still committed: their
    // copies are whole, and the recorder's next docking skips them.
    commit(job, group, results);
    if (!results.empty() && results.back().outcome == Outcome::failed && job.cancelled) results.pop_back();
    return results;
}

}  // namespace dockd::bay
