// The bay state machine (DESIGN §3), written down once:
//   empty -> detected -> identified -> checking -> offloading -> verifying
//         -> staged -> [wiping] -> ready          (any state) -> fault | removed
#pragma once

#include <string_view>

namespace dockd::bay {

enum class BayState {
    empty,
    detected,
    identified,
    checking,
    offloading,
    verifying,
    staged,
    wiping,
    ready,
    fault,
    removed
};

std::string_view to_string(BayState s);
// True when the table allows from -> to.
bool transition_allowed(BayState from, BayState to);
// Throws std::logic_error naming both states when the table does not.
void check_transition(BayState from, BayState to);
// The officer's question: is every file of this docking safely staged?
inline bool safe_to_leave(BayState s) {
    return s == BayState::staged || s == BayState::wiping || s == BayState::ready;
}

}  // namespace dockd::bay
