#include "daemon/ingest/read_ahead.hpp"

namespace dockd::ingest {

ReadAhead::ReadAhead(drivers::MediaReader& in, std::span<std::byte> buffer, const std::atomic<bool>& cancelled)
    : in_(in), cancelled_(cancelled) {
    const std::size_t half = buffer.size() / 2;
    slots_[0].buf = buffer.first(half);
    slots_[1].buf = buffer.subspan(half, half);
    reader_ = std::thread([this] { run(); });
}

ReadAhead::~ReadAhead() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    reader_.join();
}

void ReadAhead::run() {
    for (int i = 0;; i ^= 1) {
        Slot& s = slots_[i];
        {
            std::unique_lock lock(mu_);
            cv_.wait(lock, [&] { return stop_ || !s.full; });
            if (stop_) return;
        }
        // The read itself runs unlocked: it may block on the device for long.
        auto r = cancelled_ ? Result<std::size_t>(Error{"cancelled"}) : in_.read(s.buf);
        const bool last = !r || *r == 0;
        {
            std::lock_guard lock(mu_);
            s.read = std::move(r);
            s.n = s.read ? *s.read : 0;
            s.full = true;
        }
        cv_.notify_all();
        if (last) return;
    }
}

Result<std::span<const std::byte>> ReadAhead::next() {
    std::unique_lock lock(mu_);
    if (holding_) {
        slots_[consumer_ ^ 1].full = false;  // the chunk handed out last time is done with
        cv_.notify_all();
    }
    Slot& s = slots_[consumer_];
    cv_.wait(lock, [&] { return s.full; });
    if (!s.read) return s.read.error();
    holding_ = true;
    consumer_ ^= 1;
    return std::span<const std::byte>(s.buf.first(s.n));
}

}  // namespace dockd::ingest
