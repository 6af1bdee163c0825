#include "drivers/sim/docking.hpp"

#include <sys/stat.h>

#include <cerrno>

namespace dockd::drivers::sim {

Docking::Docking(int bay, std::filesystem::path bay_dir)
    : bay_(bay), dir_(std::move(bay_dir)), docked_at_(std::chrono::steady_clock::now()) {
    struct stat st {};
    if (::lstat(dir_.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
        dev_ = st.st_dev;
        ino_ = st.st_ino;
        present_at_start_ = true;
    }
}

Result<void> Docking::check_present() const {
    struct stat st {};
    if (present_at_start_ && ::lstat(dir_.c_str(), &st) == 0 && st.st_dev == dev_ && st.st_ino == ino_) return {};
    return Error{where() + ": recorder removed", ENODEV};
}

std::uint64_t Docking::bytes_read() const {
    std::lock_guard lock(mu_);
    return bytes_read_;
}

std::chrono::steady_clock::time_point Docking::account(std::uint64_t n, std::uint64_t rate_bytes_per_s) {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mu_);
    if (!first_read_) first_read_ = now;
    bytes_read_ += n;
    if (rate_bytes_per_s == 0) return now;
    const std::chrono::duration<double> due(static_cast<double>(bytes_read_) / static_cast<double>(rate_bytes_per_s));
    return *first_read_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(due);
}

}  // namespace dockd::drivers::sim
