// What a bay needs from the station it sits in.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <string>
#include <vector>

#include "daemon/config/config.hpp"
#include "daemon/custody/store.hpp"
#include "daemon/ingest/staging.hpp"

namespace dockd::bay {

struct StationContext {
    boost::asio::io_context& io;
    boost::asio::thread_pool& pool;
    custody::Store& store;
    ingest::StagingArea& staging;
    const config::Config& cfg;
    std::vector<std::string> target_urls;  // every staged file is queued for each
    std::function<void()> wake_uploader;
};

}  // namespace dockd::bay
