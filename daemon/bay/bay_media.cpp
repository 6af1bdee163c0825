// The media probe runs beside the offload (issue 14). Before the wipe step the
// bay waits for its verdict on this docking's files, so no original leaves
// the recorder unprobed, and tells the officer of a recording that ended
// abnormally. The bay shows `staged` (safe to leave) meanwhile.
#include "daemon/bay/bay.hpp"
#include "daemon/common/blocking.hpp"
#include "daemon/media/notes.hpp"

namespace dockd::bay {
namespace asio = boost::asio;
using namespace std::chrono_literals;

asio::awaitable<bool> Bay::await_probes(Session& s) {
    if (!ctx_.store.media_probe_required()) co_return true;
    if (ctx_.wake_prober) ctx_.wake_prober();
    for (;;) {
        const int left = co_await on_pool(ctx_.pool, [&] { return ctx_.store.media_unprobed(s.docking_id); });
        if (s.cancelled) co_return false;
        if (left == 0) break;
        const bool docked = co_await pause(s, 250ms);
        if (!docked) co_return false;
    }
    struct Cut {
        std::vector<std::string> paths;
        std::optional<std::int64_t> battery_in;
    };
    auto cut = co_await on_pool(ctx_.pool, [&] {
        auto docking = ctx_.store.docking(s.docking_id);
        return Cut{ctx_.store.truncated_files(s.docking_id), docking ? docking->battery_in : std::nullopt};
    });
    if (s.cancelled) co_return false;
    if (!cut.paths.empty()) note(media::truncated_note(cut.paths, cut.battery_in));
    co_return true;
}

}  // namespace dockd::bay
