// verifying, staged, wiping and ready: the steps after the offload.
#include <algorithm>
#include <cmath>

#include "daemon/bay/bay.hpp"
#include "daemon/common/blocking.hpp"
#include "daemon/common/log.hpp"
#include "daemon/common/time.hpp"
#include "daemon/ingest/copier.hpp"
#include "daemon/ingest/device_path.hpp"

namespace dockd::bay {
namespace asio = boost::asio;
using namespace std::chrono_literals;

asio::awaitable<bool> Bay::verify(Session& s) {
    if (ctx_.cfg->ingest.verify == config::Verify::none || s.file_ids.empty()) co_return !s.cancelled;
    set_state(BayState::verifying);
    auto& rec = *s.recorder;
    struct Mismatch {
        std::string path, detail;
    };
    auto problems = co_await on_pool(ctx_.pool, [&] {
        std::vector<Mismatch> out;
        std::vector<std::byte> buf(ctx_.cfg->ingest.buffer_bytes);
        for (const auto& entry : s.on_device) {
            if (s.cancelled) break;
            auto row =
                ctx_.store.find_file(s.serial, entry.device_path, entry.size_bytes, to_unix_ms(entry.modified_at));
            if (!row || row->verified_at || !row->sha256) continue;
            auto reader = rec.open_media(entry);
            Result<ingest::CopyResult> again = reader ? ingest::hash_only(**reader, buf, s.cancelled, nullptr)
                                                      : Result<ingest::CopyResult>(reader.error());
            const bool ok = again && again->sha256 == *row->sha256;
            const std::string detail = !again ? again.error().message
                                       : ok   ? "device re-read matches"
                                              : "device re-read gives " + again->sha256;
            if (s.cancelled && !again) break;
            ctx_.store.mark_verified(row->id, ok, detail);
            if (!ok) out.push_back({ingest::printable_path(entry.device_path), detail});
        }
        return out;
    });
    if (s.cancelled) co_return false;
    if (!problems.empty()) {
        co_await fail(s, "verify: " + problems.front().path + ": " + problems.front().detail +
                             (problems.size() > 1 ? " (and " + std::to_string(problems.size() - 1) + " more)" : ""));
        co_return false;
    }
    co_return true;
}

asio::awaitable<bool> Bay::enter_staged(Session& s) {
    if (s.failed > 0) {
        co_await fail(s, std::to_string(s.failed) + " file(s) could not be copied: " + shown_.error);
        co_return false;
    }
    set_state(BayState::staged);
    log::info("bay " + std::to_string(id_) + ": " + s.serial + " safe to leave: " + std::to_string(s.staged) +
              " staged, " + std::to_string(s.skipped) + " already staged, " + std::to_string(s.refused) + " refused");
    co_return true;
}

// seed R4: a device copy goes only once its custody copy is proven safe. A
// file no target can take (a permanent refusal) stays on the recorder, and the
// bay says so rather than waiting for it forever.
asio::awaitable<bool> Bay::wipe(Session& s) {
    const auto policy = ctx_.cfg->ingest.wipe_after;
    if (policy == config::WipeAfter::never) {
        const bool ok = co_await read_free_storage(s);
        co_return ok;
    }
    set_state(BayState::wiping);
    auto& rec = *s.recorder;
    for (;;) {
        struct Left {
            std::size_t waiting = 0;
            std::vector<std::string> kept;  // refused for good by a target: "path: why"
        };
        auto remaining = co_await on_pool(ctx_.pool, [&]() -> Result<Left> {
            Left left;
            for (const auto& entry : s.on_device) {
                if (s.cancelled) break;
                auto row =
                    ctx_.store.find_file(s.serial, entry.device_path, entry.size_bytes, to_unix_ms(entry.modified_at));
                if (!row || row->wiped_at || !custody::counted(row->state)) continue;
                const bool verified = ctx_.cfg->ingest.verify == config::Verify::none || row->verified_at;
                const bool archived = row->state == custody::FileState::archived;
                // issue 14: the original stays until the staged copy was probed.
                const bool probed = !ctx_.store.media_probe_required() || row->media;
                if (!verified || !probed || (policy == config::WipeAfter::archived && !archived)) {
                    if (auto why = ctx_.store.upload_refused(row->id))
                        left.kept.push_back(ingest::printable_path(entry.device_path) + ": " + *why);
                    else
                        ++left.waiting;
                    continue;
                }
                if (auto r = rec.remove_media(entry); !r)
                    return r.error().context("wipe " + ingest::printable_path(entry.device_path));
                ctx_.store.mark_wiped(row->id);
            }
            return left;
        });
        if (s.cancelled) co_return false;
        if (!remaining) {
            co_await fail(s, remaining.error().message);
            co_return false;
        }
        for (const auto& k : remaining->kept) note("kept on the recorder, no target can archive it: " + k);
        if (remaining->waiting == 0) {
            set_state(BayState::staged);
            const bool ok = co_await read_free_storage(s);
            co_return ok;
        }
        const bool docked = co_await pause(s, 2s);  // waiting for the archive to confirm
        if (!docked) co_return false;
    }
}

// Free storage as the recorder leaves the station: after the wipe policy ran.
asio::awaitable<bool> Bay::read_free_storage(Session& s) {
    auto& rec = *s.recorder;
    auto storage = co_await on_pool(ctx_.pool, [&] { return rec.storage(); });
    if (s.cancelled) co_return false;
    if (storage) s.storage_free = storage->free_bytes;
    show_gate(storage_gate(storage ? s.storage_free : std::nullopt, ctx_.cfg->checks.min_free_storage));
    co_return true;
}

// ready (DESIGN §3): every gate met. The gates are read again every few
// seconds while the recorder charges; the rule that made the bay ready is
// recorded once.
asio::awaitable<void> Bay::charge_and_hold(Session& s) {
    auto& rec = *s.recorder;
    bool announced = false;
    for (;;) {
        auto battery = co_await on_pool(ctx_.pool, [&] { return rec.battery_percent(); });
        if (s.cancelled) co_return;
        if (battery) shown_.battery_percent = *battery;
        const auto on_power =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - s.powered_since);
        auto charge = charge_gate(battery ? *battery : std::nullopt, on_power, ctx_.cfg->charge);
        const std::string rule = charge.detail;
        show_gate(std::move(charge));
        bool all = true;
        for (const auto& g : shown_.gates) all = all && g.met;
        if (all && !announced) {
            shown_.ready_rule = rule;
            co_await on_pool(ctx_.pool, [&] { ctx_.store.record_ready(s.docking_id, rule); });
            set_state(BayState::ready);
            announced = true;
        }
        const bool docked = co_await pause(s, announced ? 10s : 2s);
        if (!docked) co_return;
    }
}

}  // namespace dockd::bay
