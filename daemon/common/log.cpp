#include "daemon/common/log.hpp"

#include <sys/stat.h>
#include <syslog.h>
#include <systemd/sd-journal.h>

#include <atomic>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>

namespace dockd::log {
namespace {
std::atomic<Level> min_level{Level::info};
std::mutex out_mutex;
std::mutex context_mutex;
std::map<int, std::pair<std::string, std::string>> bay_context;  // bay -> (recorder, docking)

// systemd.exec(5): JOURNAL_STREAM is "DEVICE:INODE" of the stream stderr was
// connected to; only when fd 2 still is that stream do we talk to journald.
bool stderr_is_journal() {
    const char* env = std::getenv("JOURNAL_STREAM");
    if (!env) return false;
    struct stat st {};
    if (fstat(2, &st) != 0) return false;
    unsigned long long dev = 0, ino = 0;
    if (std::sscanf(env, "%llu:%llu", &dev, &ino) != 2) return false;
    return dev == static_cast<unsigned long long>(st.st_dev) && ino == static_cast<unsigned long long>(st.st_ino);
}
const bool journal = stderr_is_journal();

int priority(Level l) {
    switch (l) {
        case Level::debug:
            return LOG_DEBUG;
        case Level::info:
            return LOG_INFO;
        case Level::warning:
            return LOG_WARNING;
        case Level::error:
            return LOG_ERR;
    }
    return LOG_INFO;
}

const char* prefix(Level l) {
    switch (l) {
        case Level::debug:
            return "debug: ";
        case Level::info:
            return "";
        case Level::warning:
            return "warning: ";
        case Level::error:
            return "error: ";
    }
    return "";
}

void send_journal(Level level, std::string_view message, const Fields& f) {
    const std::string msg = "MESSAGE=" + std::string(message);
    const std::string prio = "PRIORITY=" + std::to_string(priority(level));
    std::string extra[4];
    int n = 0;
    std::string recorder = f.recorder, docking = f.docking;
    if (auto bay = f.bay ? f.bay : bay_of(message)) {
        extra[n++] = "BAY=" + std::to_string(*bay);
        std::lock_guard lock(context_mutex);
        if (auto it = bay_context.find(*bay); it != bay_context.end()) {
            if (recorder.empty()) recorder = it->second.first;
            if (docking.empty()) docking = it->second.second;
        }
    }
    if (!recorder.empty()) extra[n++] = "RECORDER=" + recorder;
    if (!docking.empty()) extra[n++] = "DOCKING=" + docking;
    if (!f.file.empty()) extra[n++] = "FILE=" + f.file;
    iovec iov[7];
    int count = 0;
    auto add = [&](const std::string& s) { iov[count++] = {const_cast<char*>(s.data()), s.size()}; };
    const std::string ident = "SYSLOG_IDENTIFIER=dockd";
    add(msg);
    add(prio);
    add(ident);
    for (int i = 0; i < n; ++i) add(extra[i]);
    sd_journal_sendv(iov, count);
}
}  // namespace

void set_min_level(Level level) {
    min_level = level;
}

void set_bay_context(int bay, const std::string& recorder, const std::string& docking) {
    std::lock_guard lock(context_mutex);
    if (recorder.empty() && docking.empty())
        bay_context.erase(bay);
    else
        bay_context[bay] = {recorder, docking};
}
bool to_journal() {
    return journal;
}

std::optional<int> bay_of(std::string_view message) {
    if (!message.starts_with("bay ")) return std::nullopt;
    int bay = 0;
    auto [end, ec] = std::from_chars(message.data() + 4, message.data() + message.size(), bay);
    if (ec != std::errc{} || end == message.data() + message.size() || (*end != ':' && *end != ' '))
        return std::nullopt;
    return bay;
}

void write(Level level, std::string_view message, const Fields& fields) {
    if (level < min_level.load()) return;
    if (journal) {
        send_journal(level, message, fields);
        return;
    }
    std::lock_guard lock(out_mutex);
    std::fprintf(stderr, "%s%.*s\n", prefix(level), static_cast<int>(message.size()), message.data());
}

}  // namespace dockd::log
