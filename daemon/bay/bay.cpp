#include "daemon/bay/bay.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "daemon/common/blocking.hpp"
#include "daemon/common/log.hpp"

namespace dockd::bay {
namespace asio = boost::asio;

Bay::Bay(int id, StationContext& ctx) : id_(id), ctx_(ctx) {
    shown_.id = id;
}

void Bay::arrived(std::shared_ptr<drivers::Recorder> recorder) {
    if (session_) {
        waiting_ = std::move(recorder);
        return;
    }
    shown_ = BayStatus{};
    shown_.id = id_;
    set_state(BayState::detected);
    session_ = std::make_shared<Session>(ctx_.io);
    session_->recorder = std::move(recorder);
    asio::co_spawn(ctx_.io, run(session_), asio::detached);
}

void Bay::left() {
    waiting_.reset();
    if (!session_) return;
    session_->cancelled = true;
    session_->timer.cancel();
}

void Bay::stop() {
    waiting_.reset();
    if (!session_) return;
    session_->close_reason = "station stopped";
    session_->cancelled = true;
    session_->timer.cancel();
}

BayStatus Bay::status() const {
    BayStatus s = shown_;
    if (session_) {
        s.bytes_done = session_->bytes_done.load();
        s.files_done = session_->files_done.load();
    }
    return s;
}

void Bay::tick(std::chrono::steady_clock::time_point now) {
    // A recorder can stop answering mid-read; the worker stays blocked in the
    // driver, so the bay says so instead of showing a frozen progress bar,
    // and later power-cycles the port: the recorder docks again afresh.
    constexpr auto report_after = std::chrono::seconds(30);
    const bool copying = shown_.state == BayState::offloading || shown_.state == BayState::verifying;
    const std::uint64_t bytes = session_ ? session_->bytes_done.load() : 0;
    if (!copying || bytes != last_bytes_) {
        last_bytes_ = bytes;
        last_move_ = now;
        if (stall_reported_ && copying) shown_.error.clear();
        stall_reported_ = false;
        return;
    }
    const auto still = now - last_move_;
    if (!stall_reported_ && still >= report_after) {
        stall_reported_ = true;
        shown_.error = "recorder not answering: no data for 30 s (take it out and dock it again)";
        log::error("bay " + std::to_string(id_) + ": " + shown_.error);
    }
    if (!session_) return;
    auto& s = *session_;
    if (still < ctx_.cfg->charge.stall_power_cycle_after || s.stall_cycled) return;
    s.stall_cycled = true;  // once per docking
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(still).count();
    auto r = ctx_.power_cycle ? ctx_.power_cycle(id_, "stall") : Result<void>(Error{"no switchable hub port"});
    if (r) {
        s.close_reason = "power-cycled: no data for " + std::to_string(secs) + " s";
        log::warning("bay " + std::to_string(id_) + ": " + s.close_reason);
    } else {
        shown_.error = "recorder not answering: no data for " + std::to_string(secs) + " s; port not power-cycled (" +
                       r.error().message + "): take it out and dock it again";
        log::error("bay " + std::to_string(id_) + ": " + shown_.error);
    }
}

void Bay::show_gate(Gate g) {
    for (auto& shown : shown_.gates)
        if (shown.name == g.name) {
            shown = std::move(g);
            return;
        }
    shown_.gates.push_back(std::move(g));
}

void Bay::note(const std::string& text) {
    for (const auto& n : shown_.notes)
        if (n == text) return;
    shown_.notes.push_back(text);
    log::info("bay " + std::to_string(id_) + ": " + text);
}

void Bay::set_state(BayState next) {
    if (shown_.state == next) return;
    // A bug in the steps: Bay::run turns it into a fault of this docking
    // (recorded and shown) and the session goes no further.
    check_transition(shown_.state, next);
    log::info("bay " + std::to_string(id_) + ": " + std::string(to_string(shown_.state)) + " -> " +
              std::string(to_string(next)) + (shown_.serial.empty() ? "" : " (" + shown_.serial + ")"));
    shown_.state = next;
}

asio::awaitable<void> Bay::fail(Session& s, std::string reason) {
    shown_.error = reason;
    log::error("bay " + std::to_string(id_) + ": " + reason);
    set_state(BayState::fault);
    if (!s.docking_id.empty()) co_await on_pool(ctx_.pool, [&] { ctx_.store.record_fault(s.docking_id, reason); });
}

asio::awaitable<bool> Bay::pause(Session& s, std::chrono::milliseconds d) {
    if (s.cancelled) co_return false;
    s.timer.expires_after(d);
    boost::system::error_code ec;
    co_await s.timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    co_return !s.cancelled;
}

// Each co_await's result lands in a plain variable first: GCC 12 mis-compiles
// co_await inside && and inside an if condition (the chain went on after a
// failed step, or the coroutine hit ud2).
asio::awaitable<void> Bay::steps(Session& s) {
    bool ok = co_await identify(s);
    if (ok) ok = co_await check(s);
    if (ok) ok = co_await offload(s);
    if (ok) ok = co_await verify(s);
    if (ok) ok = co_await enter_staged(s);
    if (ok) ok = co_await await_probes(s);
    // A clock set through the media (a time file) waits until the footage is
    // safe; one set through a vendor library was set before the media opened.
    if (ok && !s.clock_step_done) ok = co_await clock_step(s);
    if (ok) ok = co_await wipe(s);
    if (ok) co_await charge_and_hold(s);
}

asio::awaitable<void> Bay::run(std::shared_ptr<Session> s) {
    std::optional<std::string> internal_error;  // no co_await inside a handler
    try {
        // Each step returns false when the session ends (fault or removal).
        co_await steps(*s);
    } catch (const std::exception& e) {
        internal_error = std::string("internal error: ") + e.what();
    }
    if (internal_error) co_await fail(*s, *internal_error);
    // A fault keeps the bay showing it until the recorder is taken out.
    for (bool docked = true; docked;) docked = co_await pause(*s, std::chrono::hours(1));
    if (!s->docking_id.empty()) {
        const std::optional<int> battery_out = shown_.battery_percent;
        co_await on_pool(ctx_.pool, [&] { ctx_.store.close_docking(s->docking_id, battery_out, s->close_reason); });
        log::info("bay " + std::to_string(id_) + ": docking " + s->docking_id + " closed (" + s->close_reason + ")");
        ctx_.wake_uploader();
    }
    set_state(BayState::removed);
    set_state(BayState::empty);
    session_.reset();
    shown_ = BayStatus{};
    shown_.id = id_;
    if (waiting_) arrived(std::exchange(waiting_, nullptr));
}

}  // namespace dockd::bay
