// One device read ahead of the consumer: a thread of its own reads a media
// file into the two halves of a caller-owned buffer, so reading chunk k+1
// from the recorder overlaps hashing and writing chunk k (DESIGN §3: still
// one read of the device per byte, one buffer per bay).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <span>
#include <thread>

#include "drivers/recorder.hpp"

namespace dockd::ingest {

class ReadAhead {
public:
    ReadAhead(drivers::MediaReader& in, std::span<std::byte> buffer, const std::atomic<bool>& cancelled);
    ~ReadAhead();
    ReadAhead(const ReadAhead&) = delete;
    ReadAhead& operator=(const ReadAhead&) = delete;

    // The next chunk, empty at the end of the file; valid until the next call.
    Result<std::span<const std::byte>> next();

private:
    struct Slot {
        std::span<std::byte> buf;
        std::size_t n = 0;
        bool full = false;
        Result<std::size_t> read;
    };
    void run();

    drivers::MediaReader& in_;
    const std::atomic<bool>& cancelled_;
    Slot slots_[2];
    int consumer_ = 0;      // the slot next() returns next
    bool holding_ = false;  // the consumer still uses the slot before consumer_
    bool stop_ = false;
    std::mutex mu_;
    std::condition_variable cv_;
    std::thread reader_;
};

}  // namespace dockd::ingest
