// A one-line progress bar on stderr while objects are read, drawn only when
// stderr is a terminal (a timer's journal gets the summary alone).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace dockd::verify {

class Progress {
public:
    explicit Progress(bool enabled) : enabled_(enabled) {}
    void begin(const std::string& what, std::uint64_t objects, std::uint64_t bytes);
    void advance(std::uint64_t bytes);  // one object done
    void end();

private:
    void draw(bool force);
    bool enabled_;
    std::string what_;
    std::uint64_t objects_ = 0, bytes_ = 0, done_objects_ = 0, done_bytes_ = 0;
    std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace dockd::verify
