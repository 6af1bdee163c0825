// Log lines. Under systemd (stderr is the journal stream) each line goes to
// journald through sd_journal_send with structured fields BAY, RECORDER,
// DOCKING and FILE, so `journalctl BAY=3` or `journalctl RECORDER=ZFY0001`
// finds a bay's or a recorder's history; otherwise plain lines on stderr.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dockd::log {

enum class Level { debug, info, warning, error };

// Structured fields of one line; empty ones are left out. A message that
// starts "bay N:" gets BAY=N even when the caller gives no fields.
struct Fields {
    std::optional<int> bay;
    std::string recorder, docking, file;
};

void set_min_level(Level level);
void write(Level level, std::string_view message, const Fields& fields = {});
// True when lines go to journald (decided once from JOURNAL_STREAM).
bool to_journal();
// BAY read from a leading "bay N:" (exposed for tests).
std::optional<int> bay_of(std::string_view message);
// What bay N holds now: lines about the bay without explicit fields get
// RECORDER and DOCKING from here (empty strings clear them).
void set_bay_context(int bay, const std::string& recorder, const std::string& docking);

inline void debug(std::string_view m, const Fields& f = {}) {
    write(Level::debug, m, f);
}
inline void info(std::string_view m, const Fields& f = {}) {
    write(Level::info, m, f);
}
inline void warning(std::string_view m, const Fields& f = {}) {
    write(Level::warning, m, f);
}
inline void error(std::string_view m, const Fields& f = {}) {
    write(Level::error, m, f);
}

}  // namespace dockd::log
