// Runs blocking work (device reads, hashing, fsync, SQLite) on the bounded
// pool and resumes the awaiting coroutine on its own executor.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <type_traits>

namespace dockd {

template <class F>
auto on_pool(boost::asio::thread_pool& pool, F fn) -> boost::asio::awaitable<std::invoke_result_t<F>> {
    using T = std::invoke_result_t<F>;
    return boost::asio::co_spawn(
        pool, [fn = std::move(fn)]() mutable -> boost::asio::awaitable<T> { co_return fn(); },
        boost::asio::use_awaitable);
}

// The other way: a pool thread (an API handler) asks the io thread for state
// only it may touch (bays), and waits for the answer. Called on the io
// thread itself, fn runs at once. An io thread that does not answer within
// `patience` (stopping, wedged) is an error, not a hang.
template <class F>
auto on_io(boost::asio::io_context& io, F fn, std::chrono::milliseconds patience = std::chrono::seconds(5))
    -> std::invoke_result_t<F> {
    if (io.get_executor().running_in_this_thread()) return fn();
    auto task = std::make_shared<std::packaged_task<std::invoke_result_t<F>()>>(std::move(fn));
    auto answer = task->get_future();
    boost::asio::post(io, [task] { (*task)(); });
    if (answer.wait_for(patience) != std::future_status::ready)
        throw std::runtime_error("the station's event loop did not answer in time");
    return answer.get();
}

}  // namespace dockd
