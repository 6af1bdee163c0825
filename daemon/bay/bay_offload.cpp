// offloading: every media file copied to staging with its SHA-256 computed in
// the same pass, made durable, then committed (DESIGN §3). Custody of a file
// passes to the station at that commit and not before.
#include <algorithm>

#include "daemon/bay/bay.hpp"
#include "daemon/bay/offloader.hpp"
#include "daemon/common/blocking.hpp"
#include "daemon/common/log.hpp"
#include "daemon/common/time.hpp"
#include "daemon/ingest/copier.hpp"
#include "daemon/ingest/device_path.hpp"

namespace dockd::bay {
namespace asio = boost::asio;

namespace {

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
            const bool media = wanted_extension(entry.device_path, ctx.cfg->ingest.extensions);
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
};

asio::awaitable<bool> Bay::offload(Session& s) {
    set_state(BayState::offloading);
    auto& rec = *s.recorder;
    auto listing = co_await on_pool(ctx_.pool, [&] { return rec.list_media(); });
    if (s.cancelled) co_return false;
    if (!listing) {
        co_await fail(s, "cannot list media: " + listing.error().message);
        co_return false;
    }
    auto to_copy = co_await on_pool(ctx_.pool, [&] { return Offloaded::sort_listing(*this, s, *listing); });
    shown_.files_refused = static_cast<std::uint64_t>(s.refused);
    shown_.files_total = to_copy.size();
    shown_.bytes_total = 0;
    for (const auto& e : to_copy) shown_.bytes_total += e.size_bytes;

    // Two halves: the device is read into one while the other is hashed and written.
    std::vector<std::byte> buffer(2 * ctx_.cfg->ingest.buffer_bytes);
    const CopyJob job{ctx_, rec, s.docking_id, s.serial, s.offset_applied_ms, s.cancelled, s.bytes_done, s.files_done};
    for (std::size_t next = 0; next < to_copy.size();) {
        const std::size_t first = next, end = group_end(to_copy, first);
        const auto bytes_before = s.bytes_done.load();
        const auto files_before = s.files_done.load();
        auto results = co_await on_pool(ctx_.pool, [&] { return copy_group(job, to_copy, first, end, buffer); });
        if (s.cancelled) co_return false;
        next = first + results.size();
        std::uint64_t bytes = bytes_before;
        for (std::size_t k = 0; k < results.size(); ++k) {
            const auto& r = results[k];
            const auto& entry = to_copy[first + k];
            if (r.outcome == Outcome::disk_low) {
                next = first + k;  // not committed: copied again once there is room
                break;
            }
            count(s, r);
            if (r.file_id && (r.outcome == Outcome::staged || r.outcome == Outcome::already_staged)) {
                s.file_ids.push_back(*r.file_id);
                s.on_device.push_back(entry);
            }
            bytes += entry.size_bytes;
        }
        s.bytes_done = bytes;
        s.files_done = files_before + (next - first);
        if (next < end && !results.empty() && results.back().outcome == Outcome::disk_low) {
            const bool docked = co_await wait_for_room(s, results.back().error);
            if (!docked) co_return false;
        }
        ctx_.wake_uploader();
        if (ctx_.wake_prober) ctx_.wake_prober();
    }
    co_await on_pool(ctx_.pool,
                     [&] { ctx_.store.finish_offload(s.docking_id, s.staged, s.skipped, s.refused, s.failed); });
    co_return !s.cancelled;
}

}  // namespace dockd::bay

namespace dockd::bay {

void Bay::count(Session& s, const FileResult& r) {
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
        case Outcome::disk_low:
            ++s.failed;
            shown_.files_failed = static_cast<std::uint64_t>(s.failed);
            shown_.error = r.error;
            log::error("bay " + std::to_string(id_) + ": " + s.serial + ": " + r.error);
            break;
    }
}

// A full staging disk pauses the offload (nothing is committed from the
// file that did not fit); it resumes once uploads have purged enough.
asio::awaitable<bool> Bay::wait_for_room(Session& s, const std::string& why) {
    shown_.error = "disk_low: " + why + "; paused until staging has room";
    log::warning("bay " + std::to_string(id_) + ": " + shown_.error);
    ctx_.wake_uploader();
    const bool docked = co_await pause(s, std::chrono::seconds(2));
    if (docked) shown_.error.clear();
    co_return docked;
}

}  // namespace dockd::bay
