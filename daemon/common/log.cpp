#include "daemon/common/log.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace dockd::log {
namespace {
std::atomic<Level> min_level{Level::info};
std::mutex out_mutex;
// Under systemd, stderr goes to the journal, which reads "<N>" as the priority.
const bool to_journal = std::getenv("JOURNAL_STREAM") != nullptr;
const char* prefix(Level l) {
    switch (l) {
        case Level::debug: return to_journal ? "<7>" : "debug: ";
        case Level::info: return to_journal ? "<6>" : "";
        case Level::warning: return to_journal ? "<4>" : "warning: ";
        case Level::error: return to_journal ? "<3>" : "error: ";
    }
    return "";
}
}  // namespace

void set_min_level(Level level) { min_level = level; }

void write(Level level, std::string_view message) {
    if (level < min_level.load()) return;
    std::lock_guard lock(out_mutex);
    std::fprintf(stderr, "%s%.*s\n", prefix(level), static_cast<int>(message.size()), message.data());
}

}  // namespace dockd::log
