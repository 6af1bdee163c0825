#include "drivers/sim/sim_reader.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <thread>

namespace dockd::drivers::sim {

namespace {
constexpr auto stall_poll = std::chrono::milliseconds(100);
}

SimMediaReader::SimMediaReader(std::shared_ptr<Docking> docking, UniqueFd fd, ReadFaults faults)
    : docking_(std::move(docking)), fd_(std::move(fd)), faults_(std::move(faults)) {}

Result<std::size_t> SimMediaReader::allowance(std::size_t want) {
    for (const auto off : faults_.io_error_offsets) {
        if (off < pos_) continue;
        if (off == pos_) return Error{std::strerror(EIO), EIO};
        want = static_cast<std::size_t>(std::min<std::uint64_t>(want, off - pos_));
        break;
    }
    if (!faults_.stall_after_bytes) return want;
    // stall_after_bytes: the device stops answering but stays plugged in.
    for (;;) {
        const auto used = docking_->bytes_read();
        if (used < *faults_.stall_after_bytes)
            return static_cast<std::size_t>(std::min<std::uint64_t>(want, *faults_.stall_after_bytes - used));
        std::this_thread::sleep_for(stall_poll);
        if (auto r = docking_->check_present(); !r) return r.error();
    }
}

Result<std::size_t> SimMediaReader::read(std::span<std::byte> buf) {
    if (auto r = docking_->check_present(); !r) return r.error();
    if (buf.empty()) return std::size_t{0};
    auto want = allowance(buf.size());
    if (!want) return want.error();
    ssize_t n = 0;
    do {
        n = ::read(fd_.get(), buf.data(), *want);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return Error{std::strerror(errno), errno};
    pos_ += static_cast<std::uint64_t>(n);
    std::this_thread::sleep_until(docking_->account(static_cast<std::uint64_t>(n), faults_.read_bytes_per_s));
    return static_cast<std::size_t>(n);
}

}  // namespace dockd::drivers::sim
