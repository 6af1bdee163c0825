// Runs blocking work (device reads, hashing, fsync, SQLite) on the bounded
// pool and resumes the awaiting coroutine on its own executor.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <type_traits>

namespace dockd {

template <class F>
auto on_pool(boost::asio::thread_pool& pool, F fn) -> boost::asio::awaitable<std::invoke_result_t<F>> {
    using T = std::invoke_result_t<F>;
    return boost::asio::co_spawn(
        pool, [fn = std::move(fn)]() mutable -> boost::asio::awaitable<T> { co_return fn(); },
        boost::asio::use_awaitable);
}

}  // namespace dockd
