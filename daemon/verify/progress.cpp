#include "daemon/verify/progress.hpp"

#include <cstdio>

namespace dockd::verify {

void Progress::begin(const std::string& what, std::uint64_t objects, std::uint64_t bytes) {
    what_ = what, objects_ = objects, bytes_ = bytes, done_objects_ = 0, done_bytes_ = 0;
    draw(true);
}

void Progress::advance(std::uint64_t bytes) {
    ++done_objects_;
    done_bytes_ += bytes;
    draw(false);
}

void Progress::end() {
    if (!enabled_ || objects_ == 0) return;
    draw(true);
    std::fputs("\n", stderr);
    objects_ = 0;
}

void Progress::draw(bool force) {
    if (!enabled_ || objects_ == 0) return;
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    constexpr int width = 30;
    const double part = bytes_ ? static_cast<double>(done_bytes_) / static_cast<double>(bytes_)
                               : static_cast<double>(done_objects_) / static_cast<double>(objects_);
    const int filled = static_cast<int>(part * width);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(width, '.');
    std::fprintf(stderr, "\r%s [%s] %llu/%llu objects, %.1f/%.1f MiB ", what_.c_str(), bar.c_str(),
                 static_cast<unsigned long long>(done_objects_), static_cast<unsigned long long>(objects_),
                 static_cast<double>(done_bytes_) / 1048576.0, static_cast<double>(bytes_) / 1048576.0);
    std::fflush(stderr);
}

}  // namespace dockd::verify
