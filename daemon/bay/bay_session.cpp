// The steps of a docking other than the offload itself.
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

asio::awaitable<bool> Bay::identify_and_check(Session& s) {
    auto& rec = *s.recorder;
    auto identity = co_await on_pool(ctx_.pool, [&] { return rec.identify(); });
    if (s.cancelled) co_return false;
    if (!identity) {
        fail(s, "cannot identify recorder: " + identity.error().message);
        co_return false;
    }
    if (auto ok = ingest::check_serial(identity->serial); !ok) {
        fail(s, "recorder refused: " + ok.error().message);
        co_return false;
    }
    s.serial = identity->serial;
    shown_.serial = identity->serial;
    shown_.model = identity->model;
    std::optional<custody::OfficerRecord> officer;
    if (identity->officer)
        officer = custody::OfficerRecord{identity->officer->no, identity->officer->name, identity->officer->unit_no,
                                         identity->officer->unit_name};
    const custody::RecorderIdentity rid{identity->serial, identity->vendor, identity->model, identity->firmware};
    s.docking_id = co_await on_pool(ctx_.pool, [&] { return ctx_.store.open_docking(id_, rid, officer); });
    shown_.docking_id = s.docking_id;
    if (officer) {
        shown_.officer_no = officer->no;
        shown_.officer_name = officer->name;
    } else if (auto d = ctx_.store.docking(s.docking_id); d && d->officer_no) {
        shown_.officer_no = *d->officer_no;
        if (auto o = ctx_.store.officer(*d->officer_no)) shown_.officer_name = o->name;
    }
    set_state(BayState::identified);

    set_state(BayState::checking);
    struct Health {
        Result<int> battery;
        Result<drivers::StorageInfo> storage;
        Result<SystemTime> device_time;
        SystemTime station_time;
    };
    auto h = co_await on_pool(ctx_.pool, [&] {
        // Station time sampled right around the device read: the offset is what
        // corrects every recorded_at of this docking.
        auto before = std::chrono::system_clock::now();
        auto device = rec.read_clock();
        auto after = std::chrono::system_clock::now();
        return Health{rec.battery_percent(), rec.storage(), std::move(device), before + (after - before) / 2};
    });
    if (s.cancelled) co_return false;
    if (!h.battery) {
        fail(s, "battery: " + h.battery.error().message);
        co_return false;
    }
    if (!h.storage) {
        fail(s, "storage: " + h.storage.error().message);
        co_return false;
    }
    if (!h.device_time) {
        fail(s, "clock: " + h.device_time.error().message);
        co_return false;
    }
    shown_.battery_percent = std::clamp(*h.battery, 0, 100);
    s.clock_offset_ms = to_unix_ms(*h.device_time) - to_unix_ms(h.station_time);
    shown_.clock_offset_ms = s.clock_offset_ms;
    const custody::ClockMeasurement m{rfc3339(*h.device_time), rfc3339(h.station_time), s.clock_offset_ms};
    co_await on_pool(ctx_.pool, [&] {
        ctx_.store.record_health(s.docking_id, *shown_.battery_percent, h.storage->total_bytes, h.storage->free_bytes);
        ctx_.store.record_clock(s.docking_id, m);
    });
    co_return !s.cancelled;
}

asio::awaitable<bool> Bay::verify(Session& s) {
    if (ctx_.cfg.ingest.verify == config::Verify::none || s.file_ids.empty()) co_return !s.cancelled;
    set_state(BayState::verifying);
    auto& rec = *s.recorder;
    struct Mismatch {
        std::string path, detail;
    };
    auto problems = co_await on_pool(ctx_.pool, [&] {
        std::vector<Mismatch> out;
        std::vector<std::byte> buf(ctx_.cfg.ingest.buffer_bytes);
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
        fail(s, "verify: " + problems.front().path + ": " + problems.front().detail +
                    (problems.size() > 1 ? " (and " + std::to_string(problems.size() - 1) + " more)" : ""));
        co_return false;
    }
    co_return true;
}

bool Bay::enter_staged(Session& s) {
    if (s.failed > 0) {
        fail(s, std::to_string(s.failed) + " file(s) could not be copied: " + shown_.error);
        return false;
    }
    set_state(BayState::staged);
    log::info("bay " + std::to_string(id_) + ": " + s.serial + " safe to leave: " + std::to_string(s.staged) +
              " staged, " + std::to_string(s.skipped) + " already staged, " + std::to_string(s.refused) + " refused");
    return true;
}

asio::awaitable<bool> Bay::set_clock(Session& s) {
    const auto drift = std::chrono::milliseconds(std::llabs(s.clock_offset_ms));
    if (drift <= ctx_.cfg.clock.max_drift) co_return true;
    if (!ctx_.cfg.clock.set_device_clock) {
        fail(s, "device clock off by " + std::to_string(s.clock_offset_ms) + " ms and clock.set_device_clock is false");
        co_return false;
    }
    auto& rec = *s.recorder;
    auto result = co_await on_pool(ctx_.pool, [&]() -> Result<std::int64_t> {
        if (auto r = rec.set_clock(std::chrono::system_clock::now()); !r) return r.error();
        auto now_device = rec.read_clock();
        if (!now_device) return now_device.error();
        return to_unix_ms(*now_device) - to_unix_ms(std::chrono::system_clock::now());
    });
    if (s.cancelled) co_return false;
    const std::string detail = result ? "offset after set " + std::to_string(*result) + " ms" : result.error().message;
    co_await on_pool(ctx_.pool, [&] { ctx_.store.record_clock_set(s.docking_id, result.ok(), detail); });
    if (!result) {
        fail(s, "cannot set device clock: " + detail);
        co_return false;
    }
    shown_.clock_offset_ms = *result;
    if (std::chrono::milliseconds(std::llabs(*result)) > ctx_.cfg.clock.max_drift) {
        fail(s, "device clock still off by " + std::to_string(*result) + " ms after setting it");
        co_return false;
    }
    co_return true;
}

asio::awaitable<bool> Bay::wipe(Session& s) {
    const auto policy = ctx_.cfg.ingest.wipe_after;
    if (policy == config::WipeAfter::never) co_return true;
    set_state(BayState::wiping);
    auto& rec = *s.recorder;
    // seed R4: a device copy goes only once its custody copy is proven safe.
    for (;;) {
        auto remaining = co_await on_pool(ctx_.pool, [&]() -> Result<std::size_t> {
            std::size_t left = 0;
            for (const auto& entry : s.on_device) {
                if (s.cancelled) break;
                auto row =
                    ctx_.store.find_file(s.serial, entry.device_path, entry.size_bytes, to_unix_ms(entry.modified_at));
                if (!row || row->wiped_at || (row->state != "staged" && row->state != "archived")) continue;
                const bool verified = ctx_.cfg.ingest.verify == config::Verify::none || row->verified_at;
                const bool archived = row->state == "archived";
                if (!verified || (policy == config::WipeAfter::archived && !archived)) {
                    ++left;
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
            fail(s, remaining.error().message);
            co_return false;
        }
        if (*remaining == 0) {
            set_state(BayState::staged);
            co_return true;
        }
        const bool docked = co_await pause(s, 2s);  // waiting for the archive to confirm
        if (!docked) co_return false;
    }
}

asio::awaitable<void> Bay::charge_and_hold(Session& s) {
    auto& rec = *s.recorder;
    bool announced = false;
    for (;;) {
        auto battery = co_await on_pool(ctx_.pool, [&] { return rec.battery_percent(); });
        if (s.cancelled) co_return;
        if (battery) shown_.battery_percent = std::clamp(*battery, 0, 100);
        const bool charged = battery && *battery >= ctx_.cfg.charge.ready_percent;
        if (charged && !announced) {
            set_state(BayState::ready);
            announced = true;
        }
        const bool docked = co_await pause(s, announced ? 10s : 2s);
        if (!docked) co_return;
    }
}

}  // namespace dockd::bay
