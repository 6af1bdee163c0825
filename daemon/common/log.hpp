// Plain lines on stderr. Structured journald fields come with the
// people-facing issue; callers already pass the bay/recorder in the text.
#pragma once

#include <string_view>

namespace dockd::log {

enum class Level { debug, info, warning, error };

void set_min_level(Level level);
void write(Level level, std::string_view message);

inline void debug(std::string_view m) { write(Level::debug, m); }
inline void info(std::string_view m) { write(Level::info, m); }
inline void warning(std::string_view m) { write(Level::warning, m); }
inline void error(std::string_view m) { write(Level::error, m); }

}  // namespace dockd::log
