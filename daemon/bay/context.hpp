// What a bay needs from the station it sits in.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <string>
#include <vector>

#include "daemon/common/result.hpp"
#include "daemon/config/live.hpp"
#include "daemon/custody/store.hpp"
#include "daemon/staging/staging.hpp"

namespace dockd::bay {

struct StationContext {
    boost::asio::io_context& io;
    boost::asio::thread_pool& pool;
    custody::Store& store;
    staging::StagingArea& staging;
    const config::LiveConfig& cfg;  // the configuration in force (a reload replaces it)
    // Every staged file is queued for each; asked at each commit, so a
    // target added by a reload gets the files staged after it.
    std::function<std::vector<std::string>()> target_urls;
    std::function<void()> wake_uploader;
    // Whether the host clock is proven synchronised now (cached; never blocks).
    std::function<bool()> host_clock_synced;
    // Power-cycles the bay's hub port (audited with `by`); an error when the
    // bay has no switchable port. Runs on the io_context.
    std::function<Result<void>(int bay, const std::string& by)> power_cycle;
    // The media probe (issue 14): woken after each commit; null when media.probe is off.
    std::function<void()> wake_prober;
};

}  // namespace dockd::bay
