// One bay: owns the session of the recorder docked in it, from detection to
// removal, and what the bay shows. Lives on the station's io_context thread;
// blocking steps go to the pool.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <vector>

#include "daemon/bay/bay_state.hpp"
#include "daemon/bay/bay_status.hpp"
#include "daemon/bay/context.hpp"
#include "daemon/bay/offloader.hpp"
#include "drivers/recorder.hpp"

namespace dockd::bay {

class Bay {
public:
    Bay(int id, StationContext& ctx);
    void arrived(std::shared_ptr<drivers::Recorder> recorder);
    void left();
    void stop();  // station shutdown: end the session, close its docking
    BayStatus status() const;
    // Called every few seconds by the station: notices a copy that stopped
    // moving, says so, and power-cycles the port once per docking.
    void tick(std::chrono::steady_clock::time_point now);
    int id() const { return id_; }
    bool idle() const { return !session_; }

private:
    struct Session {
        explicit Session(boost::asio::io_context& io) : timer(io) {}
        std::shared_ptr<drivers::Recorder> recorder;
        boost::asio::steady_timer timer;
        std::atomic<bool> cancelled{false};
        std::string close_reason = "removed";
        std::string docking_id, serial, model;
        std::optional<std::string> firmware;
        const std::chrono::steady_clock::time_point powered_since = std::chrono::steady_clock::now();
        custody::ClockMeasurement clock;
        std::optional<std::int64_t> offset_applied_ms;  // corrects recorded_at: measured and plausible only
        bool clock_step_done = false;
        std::atomic<std::uint64_t> bytes_done{0}, files_done{0};
        int staged = 0, skipped = 0, refused = 0, failed = 0;
        std::vector<std::int64_t> file_ids;          // rows committed or known in this docking
        std::vector<drivers::MediaEntry> on_device;  // entries with a custody row, for verify and wipe
        std::optional<std::uint64_t> storage_free;   // last reading
        bool stall_cycled = false;
    };
    struct Offloaded;
    void count(Session& s, const FileResult& r);
    boost::asio::awaitable<bool> wait_for_room(Session& s, const std::string& why);

    boost::asio::awaitable<void> run(std::shared_ptr<Session> s);
    boost::asio::awaitable<void> steps(Session& s);
    boost::asio::awaitable<bool> identify(Session& s);
    boost::asio::awaitable<bool> check(Session& s);
    boost::asio::awaitable<void> write_officer(Session& s, const custody::OpenedDocking& opened);
    boost::asio::awaitable<bool> offload(Session& s);
    boost::asio::awaitable<bool> verify(Session& s);
    boost::asio::awaitable<bool> enter_staged(Session& s);
    boost::asio::awaitable<bool> await_probes(Session& s);
    boost::asio::awaitable<bool> clock_step(Session& s);
    boost::asio::awaitable<bool> wipe(Session& s);
    boost::asio::awaitable<bool> read_free_storage(Session& s);
    boost::asio::awaitable<void> charge_and_hold(Session& s);
    // Sleeps unless the session is cancelled; false once it is.
    boost::asio::awaitable<bool> pause(Session& s, std::chrono::milliseconds d);

    void set_state(BayState next);
    boost::asio::awaitable<void> fail(Session& s, std::string reason);
    void show_gate(Gate g);
    void note(const std::string& text);

    int id_;
    StationContext& ctx_;
    BayStatus shown_;
    std::shared_ptr<Session> session_;
    std::shared_ptr<drivers::Recorder> waiting_;  // arrived while the last session still closes
    std::uint64_t last_bytes_ = 0;
    std::chrono::steady_clock::time_point last_move_{};
    bool stall_reported_ = false;
};

}  // namespace dockd::bay
