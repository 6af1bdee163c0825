// offloading: every media file copied to staging with its SHA-256 computed in
// the same pass, made durable, then committed (DESIGN §3). Custody of a file
// passes to the station at that commit and not before.
#include <algorithm>

#include "daemon/bay/bay.hpp"
#include "daemon/common/blocking.hpp"
#include "daemon/common/log.hpp"
#include "daemon/common/time.hpp"
#include "daemon/ingest/copier.hpp"
#include "daemon/ingest/device_path.hpp"

namespace dockd::bay {
namespace asio = boost::asio;

namespace {

enum class Outcome { staged, already_staged, refused_before, failed, disk_full };

struct FileResult {
    Outcome outcome;
    std::optional<std::int64_t> file_id;
    std::string error;
};

bool wanted_extension(const std::string& path, const std::vector<std::string>& extensions) {
    const auto slash = path.rfind('/');
    const auto dot = path.rfind('.');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return false;
    std::string ext = path.substr(dot + 1);
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return std::find(extensions.begin(), extensions.end(), ext) != extensions.end();
}

}  // namespace

struct Bay::Offloaded {
    // Every listed entry ends as a file to copy or a row with its reason
    // (issue 9): hostile names, symlinks, branches not walked, and anything
    // named like media that is not a regular file. Other names are not media.
    static std::vector<drivers::MediaEntry> sort_listing(Bay& bay, Session& s, std::vector<drivers::MediaEntry>& all) {
        auto& ctx = bay.ctx_;
        std::vector<drivers::MediaEntry> to_copy;
        for (auto& entry : all) {
            const bool media = wanted_extension(entry.device_path, ctx.cfg.ingest.extensions);
            auto why = refusal(entry, media);
            if (!why && entry.kind == drivers::EntryKind::file && media) to_copy.push_back(std::move(entry));
            if (!why) continue;
            const auto shown = ingest::printable_path(entry.device_path);
            log::warning("bay " + std::to_string(bay.id_) + ": " + s.serial + ": refused " + shown + ": " + *why);
            ctx.store.record_refused(s.docking_id, s.serial, shown, entry.size_bytes, to_unix_ms(entry.modified_at),
                                     *why);
            ++s.refused;
        }
        return to_copy;
    }

    static std::optional<std::string> refusal(const drivers::MediaEntry& entry, bool media) {
        using drivers::EntryKind;
        if (entry.kind == EntryKind::branch) return "not listed: " + entry.problem;
        if (entry.kind == EntryKind::directory)
            return media
                       ? std::optional<std::string>("a directory named like media (its files are listed on their own)")
                       : std::nullopt;
        if (entry.kind == EntryKind::special)
            return media ? std::optional<std::string>(entry.problem + ", not a regular file") : std::nullopt;
        auto safe = ingest::check_device_path(entry.device_path);
        if (!safe) return safe.error().message;
        if (entry.kind == EntryKind::symlink) return "symbolic link (never followed)";
        return std::nullopt;
    }

    static FileResult one(Bay& bay, Session& s, const drivers::MediaEntry& entry, std::size_t index,
                          std::vector<std::byte>& buf) {
        auto& ctx = bay.ctx_;
        const std::int64_t mtime_ms = to_unix_ms(entry.modified_at);
        if (auto known = ctx.store.find_file(s.serial, entry.device_path, entry.size_bytes, mtime_ms)) {
            if (known->state == "refused") return {Outcome::refused_before, known->id, ""};
            return {Outcome::already_staged, known->id, ""};
        }
        if (auto free = ctx.staging.free_bytes(); !free || *free < entry.size_bytes + ctx.cfg.ingest.min_free_bytes)
            return {Outcome::disk_full, std::nullopt,
                    free ? "staging disk low: " + std::to_string(*free) + " bytes free, file needs " +
                               std::to_string(entry.size_bytes) + " + ingest.min_free_bytes"
                         : free.error().message};
        const std::string staging_name = s.docking_id + "/" + std::to_string(index);
        const std::string shown = ingest::printable_path(entry.device_path);
        auto writer = ctx.staging.begin(staging_name);
        if (!writer) return {Outcome::failed, std::nullopt, writer.error().message};
        auto reader = s.recorder->open_media(entry);
        if (!reader && reader.error().sys_errno == ENOENT)
            return {Outcome::failed, std::nullopt, shown + ": vanished before it was copied"};
        if (!reader) return {Outcome::failed, std::nullopt, shown + ": open: " + reader.error().message};
        const auto base = s.bytes_done.load();
        auto copied = ingest::copy_and_hash(**reader, *writer, buf, s.cancelled,
                                            [&](std::uint64_t done) { s.bytes_done = base + done; });
        if (!copied) {
            const bool full = copied.error().sys_errno == ENOSPC;
            return {full ? Outcome::disk_full : Outcome::failed, std::nullopt, shown + ": " + copied.error().message};
        }
        if (copied->bytes != entry.size_bytes)
            return {Outcome::failed, std::nullopt,
                    shown + ": listed as " + std::to_string(entry.size_bytes) + " bytes, read " +
                        std::to_string(copied->bytes)};
        if (auto c = writer->commit(); !c) {
            const bool full = c.error().sys_errno == ENOSPC;
            return {full ? Outcome::disk_full : Outcome::failed, std::nullopt, shown + ": " + c.error().message};
        }
        // Only a measured, plausible offset corrects the time (DESIGN §12).
        const auto recorded_at = corrected_time(entry.modified_at, s.offset_applied_ms);
        const auto ingested_at = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
        custody::StagedFile f;
        f.docking_id = s.docking_id;
        f.serial = s.serial;
        f.device_path = entry.device_path;
        f.size = entry.size_bytes;
        f.device_mtime_ms = mtime_ms;
        f.sha256 = copied->sha256;
        f.staging_name = staging_name;
        f.object_key =
            ingest::object_key(s.serial, filing_time(recorded_at, ingested_at), copied->sha256, entry.device_path);
        f.recorded_at_device = rfc3339(entry.modified_at);
        f.recorded_at = recorded_at ? rfc3339(*recorded_at) : std::nullopt;
        f.ingested_at = rfc3339(ingested_at).value_or("");
        f.important = entry.important;
        return {Outcome::staged, ctx.store.commit_staged(f, ctx.target_urls), ""};
    }
};

asio::awaitable<bool> Bay::offload(Session& s) {
    set_state(BayState::offloading);
    auto& rec = *s.recorder;
    auto listing = co_await on_pool(ctx_.pool, [&] { return rec.list_media(); });
    if (s.cancelled) co_return false;
    if (!listing) {
        fail(s, "cannot list media: " + listing.error().message);
        co_return false;
    }
    auto to_copy = co_await on_pool(ctx_.pool, [&] { return Offloaded::sort_listing(*this, s, *listing); });
    shown_.files_refused = static_cast<std::uint64_t>(s.refused);
    shown_.files_total = to_copy.size();
    shown_.bytes_total = 0;
    for (const auto& e : to_copy) shown_.bytes_total += e.size_bytes;

    std::vector<std::byte> buffer(ctx_.cfg.ingest.buffer_bytes);
    for (std::size_t i = 0; i < to_copy.size(); ++i) {
        const auto& entry = to_copy[i];
        const auto bytes_before = s.bytes_done.load();
        auto r = co_await on_pool(ctx_.pool, [&] {
            auto one = Offloaded::one(*this, s, entry, i, buffer);
            // A listed file that was not copied keeps a row of its own (issue 9).
            if (one.outcome == Outcome::failed && !s.cancelled)
                ctx_.store.record_failed(s.docking_id, s.serial, ingest::printable_path(entry.device_path),
                                         entry.size_bytes, to_unix_ms(entry.modified_at), one.error);
            return one;
        });
        if (s.cancelled) co_return false;
        switch (r.outcome) {
            case Outcome::staged:
                ++s.staged;
                break;
            case Outcome::already_staged:
                ++s.skipped;
                break;
            case Outcome::refused_before:
                ++s.refused;
                break;
            case Outcome::failed:
                ++s.failed;
                shown_.files_failed = static_cast<std::uint64_t>(s.failed);
                shown_.error = r.error;
                log::error("bay " + std::to_string(id_) + ": " + s.serial + ": " + r.error);
                break;
            case Outcome::disk_full:
                co_await on_pool(ctx_.pool, [&] {
                    ctx_.store.finish_offload(s.docking_id, s.staged, s.skipped, s.refused, s.failed + 1);
                });
                fail(s, r.error);
                co_return false;
        }
        if (r.file_id && (r.outcome == Outcome::staged || r.outcome == Outcome::already_staged)) {
            s.file_ids.push_back(*r.file_id);
            s.on_device.push_back(entry);
        }
        s.bytes_done = bytes_before + entry.size_bytes;
        ++s.files_done;
        if (r.outcome == Outcome::staged) ctx_.wake_uploader();
    }
    co_await on_pool(ctx_.pool,
                     [&] { ctx_.store.finish_offload(s.docking_id, s.staged, s.skipped, s.refused, s.failed); });
    co_return !s.cancelled;
}

}  // namespace dockd::bay
