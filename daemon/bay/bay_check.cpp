// identified and checking: who the recorder is and who holds it, then what it
// reports of itself (DESIGN §3, §12): every figure is read or left unknown.
#include "daemon/bay/bay.hpp"
#include "daemon/common/blocking.hpp"
#include "daemon/common/log.hpp"
#include "daemon/common/utf8.hpp"
#include "daemon/ingest/device_path.hpp"

namespace dockd::bay {
namespace asio = boost::asio;

namespace {

// What a recorder says of itself is stored, signed into manifests and served
// as JSON, so it must be UTF-8: bytes that are not become U+FFFD here.
void make_valid_utf8(drivers::Identity& id) {
    for (std::string* text : {&id.vendor, &id.model}) *text = utf8_valid(*text);
    if (id.firmware) id.firmware = utf8_valid(*id.firmware);
    if (id.officer)
        for (std::string* text : {&id.officer->no, &id.officer->name, &id.officer->unit_no, &id.officer->unit_name})
            *text = utf8_valid(*text);
}

}  // namespace

asio::awaitable<bool> Bay::identify(Session& s) {
    auto& rec = *s.recorder;
    auto identity = co_await on_pool(ctx_.pool, [&] { return rec.identify(); });
    if (s.cancelled) co_return false;
    if (!identity) {
        co_await fail(s, "cannot identify recorder: " + identity.error().message);
        co_return false;
    }
    if (auto ok = ingest::check_serial(identity->serial); !ok) {
        co_await fail(s, "recorder refused: " + ok.error().message);
        co_return false;
    }
    make_valid_utf8(*identity);
    s.serial = shown_.serial = identity->serial;
    s.model = shown_.model = identity->model;
    s.firmware = identity->firmware;
    std::optional<custody::OfficerRecord> officer;
    if (identity->officer)
        officer = custody::OfficerRecord{identity->officer->no, identity->officer->name, identity->officer->unit_no,
                                         identity->officer->unit_name};
    const custody::RecorderIdentity rid{identity->serial, identity->vendor, identity->model, identity->firmware};
    const auto opened = co_await on_pool(ctx_.pool, [&] { return ctx_.store.open_docking(id_, rid, officer); });
    s.docking_id = shown_.docking_id = opened.id;
    if (opened.officer_no) {
        shown_.officer_no = *opened.officer_no;
        auto o = co_await on_pool(ctx_.pool, [&] { return ctx_.store.officer(*opened.officer_no); });
        if (o) shown_.officer_name = o->name;
    }
    if (opened.assignment_disagrees)
        note("assigned to officer " + opened.officer_no.value_or("?") + "; the recorder says officer " +
             opened.device_officer_no.value_or("?"));
    set_state(BayState::identified);
    if (opened.officer_no && opened.officer_no != opened.device_officer_no) co_await write_officer(s, opened);
    co_return !s.cancelled;
}

// The assignment made at the station is the custody record; a recorder that
// keeps its own officer record (GA/T 947 WriteZFYInfo) is brought in line.
asio::awaitable<void> Bay::write_officer(Session& s, const custody::OpenedDocking& opened) {
    auto& rec = *s.recorder;
    const std::string no = *opened.officer_no;
    auto outcome = co_await on_pool(ctx_.pool, [&]() -> std::optional<Result<bool>> {
        const auto o = ctx_.store.officer(no).value_or(custody::OfficerRecord{no, "", "", ""});
        auto r = rec.write_officer(drivers::Officer{o.no, o.name, o.unit_no, o.unit_name});
        if (r && !*r) return std::nullopt;  // this recorder keeps no officer record
        ctx_.store.record_officer_written(s.docking_id, no, r.ok(), r ? "written" : r.error().message);
        return r;
    });
    if (!outcome) co_return;
    if (*outcome)
        note("officer " + no + " written to the recorder");
    else
        note("could not write officer " + no + " to the recorder: " + outcome->error().message);
}

asio::awaitable<bool> Bay::check(Session& s) {
    set_state(BayState::checking);
    auto& rec = *s.recorder;
    show_gate(firmware_gate(ctx_.cfg->checks, s.model, s.firmware));
    struct Reading {
        Result<std::optional<int>> battery;
        Result<std::optional<drivers::DeviceTime>> device_time;
        MillisTime station_time;
    };
    auto r = co_await on_pool(ctx_.pool, [&] {
        auto battery = rec.battery_percent();
        // Station time sampled right around the device read.
        const auto before = std::chrono::system_clock::now();
        auto device = rec.read_clock();
        const auto after = std::chrono::system_clock::now();
        const auto mid = std::chrono::floor<std::chrono::milliseconds>(before + (after - before) / 2);
        return Reading{std::move(battery), std::move(device), mid};
    });
    if (s.cancelled) co_return false;
    if (!r.battery) {
        co_await fail(s, "battery: " + r.battery.error().message);
        co_return false;
    }
    if (!r.device_time) {
        co_await fail(s, "clock: " + r.device_time.error().message);
        co_return false;
    }
    shown_.battery_percent = *r.battery;
    s.clock = measure_clock(*r.device_time, r.station_time, ctx_.cfg->clock.max_plausible_offset,
                            ctx_.host_clock_synced && ctx_.host_clock_synced());
    s.offset_applied_ms = applied_offset(s.clock);
    shown_.clock_offset_ms = s.clock.offset_ms;
    if (s.clock.offset_ms) shown_.clock_plausible = s.clock.plausible;
    if (s.clock.offset_ms && !s.clock.plausible)
        note("device clock reads " + s.clock.device_time.value_or("beyond year 9999") +
             ": implausible, recorded as read and not used to correct recording times");
    co_await on_pool(ctx_.pool, [&] { ctx_.store.record_clock(s.docking_id, s.clock); });
    if (rec.clock_set_before_media()) {
        const bool ok = co_await clock_step(s);
        if (!ok) co_return false;
    }
    // Storage last: for a vendor-library recorder it switches to mass storage.
    auto storage = co_await on_pool(ctx_.pool, [&] { return rec.storage(); });
    if (s.cancelled) co_return false;
    if (!storage) {
        co_await fail(s, "storage: " + storage.error().message);
        co_return false;
    }
    s.storage_free = storage->free_bytes;
    const custody::HealthReading h{*r.battery, storage->total_bytes, storage->free_bytes};
    co_await on_pool(ctx_.pool, [&] { ctx_.store.record_health(s.docking_id, h); });
    co_return !s.cancelled;
}

// The device clock is set when it is unknown, implausible or off by more
// than clock.max_drift, and only from a synchronised host when
// clock.require_synced_host_clock says so. A set the recorder cannot read
// back stays "set, unconfirmed" until its next docking measures it.
asio::awaitable<bool> Bay::clock_step(Session& s) {
    s.clock_step_done = true;
    const auto& c = ctx_.cfg->clock;
    const auto& m = s.clock;
    const bool within = m.offset_ms && m.plausible && std::llabs(*m.offset_ms) <= c.max_drift.count();
    if (within) {
        show_gate({"clock", true, "within clock.max_drift (" + std::to_string(*m.offset_ms) + " ms)"});
        co_return true;
    }
    const std::string off = !m.offset_ms   ? "device clock unreadable"
                            : !m.plausible ? "device clock implausible"
                                           : "device clock off by " + std::to_string(*m.offset_ms) + " ms";
    if (!c.set_device_clock) {
        show_gate({"clock", false, off + " and clock.set_device_clock is false"});
        co_return true;
    }
    const bool synced = ctx_.host_clock_synced && ctx_.host_clock_synced();
    if (c.require_synced_host_clock && !synced) {
        const std::string why = "not set: the host clock is not synchronised (clock.require_synced_host_clock)";
        co_await on_pool(ctx_.pool,
                         [&] { ctx_.store.record_clock_set(s.docking_id, custody::ClockSet::withheld, why); });
        show_gate({"clock", false, off + "; " + why});
        shown_.clock_set = to_string(custody::ClockSet::withheld);
        co_return true;
    }
    auto& rec = *s.recorder;
    auto result = co_await on_pool(ctx_.pool, [&]() -> Result<std::optional<std::int64_t>> {
        if (auto r = rec.set_clock(std::chrono::system_clock::now()); !r) return r.error();
        auto back = rec.read_clock();
        if (!back) return back.error();
        if (!*back) return std::optional<std::int64_t>();
        return checked_sub(to_unix_ms(**back), to_unix_ms(std::chrono::system_clock::now()));
    });
    if (s.cancelled) co_return false;
    const auto outcome = !result                                       ? custody::ClockSet::failed
                         : !*result                                    ? custody::ClockSet::unconfirmed
                         : std::llabs(**result) <= c.max_drift.count() ? custody::ClockSet::confirmed
                                                                       : custody::ClockSet::failed;
    const std::string detail = !result    ? result.error().message
                               : !*result ? "set; the recorder cannot be read back until its next docking"
                                          : "offset after set " + std::to_string(**result) + " ms";
    co_await on_pool(ctx_.pool, [&] { ctx_.store.record_clock_set(s.docking_id, outcome, detail); });
    shown_.clock_set = to_string(outcome);
    if (!result) {
        co_await fail(s, "cannot set device clock: " + detail);
        co_return false;
    }
    if (outcome == custody::ClockSet::failed) {
        co_await fail(s, "device clock still off by " + std::to_string(**result) + " ms after setting it");
        co_return false;
    }
    if (*result) shown_.clock_offset_ms = **result;
    show_gate(
        {"clock", true,
         outcome == custody::ClockSet::confirmed ? "set and confirmed: " + detail : "set, unconfirmed: " + detail});
    co_return true;
}

}  // namespace dockd::bay
