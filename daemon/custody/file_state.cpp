#include "daemon/custody/file_state.hpp"

namespace dockd::custody {

const char* to_string(FileState s) {
    switch (s) {
        case FileState::staged:
            return "staged";
        case FileState::archived:
            return "archived";
        case FileState::refused:
            return "refused";
        case FileState::failed:
            return "failed";
        case FileState::lost:
            return "lost";
    }
    return "lost";
}

std::optional<FileState> file_state_from(std::string_view text) {
    for (auto s : {FileState::staged, FileState::archived, FileState::refused, FileState::failed, FileState::lost})
        if (text == to_string(s)) return s;
    return std::nullopt;
}

}  // namespace dockd::custody
