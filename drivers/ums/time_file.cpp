#include "drivers/ums/time_file.hpp"

#include <ctime>

namespace dockd::drivers::ums {

Result<std::string> format_time_file(const std::string& format, SystemTime now) {
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm local{};
    localtime_r(&t, &local);
    char buf[256];
    const std::size_t n = std::strftime(buf, sizeof buf, format.c_str(), &local);
    if (n == 0) return Error{"time_format '" + format + "' gives an empty or too long text"};
    return std::string(buf, n) + "\n";
}

}  // namespace dockd::drivers::ums
