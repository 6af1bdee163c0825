#include "daemon/bay/bay_state.hpp"

#include <array>
#include <stdexcept>
#include <string>
#include <utility>

namespace dockd::bay {

std::string_view to_string(BayState s) {
    switch (s) {
        case BayState::empty:
            return "empty";
        case BayState::detected:
            return "detected";
        case BayState::identified:
            return "identified";
        case BayState::checking:
            return "checking";
        case BayState::offloading:
            return "offloading";
        case BayState::verifying:
            return "verifying";
        case BayState::staged:
            return "staged";
        case BayState::wiping:
            return "wiping";
        case BayState::ready:
            return "ready";
        case BayState::fault:
            return "fault";
        case BayState::removed:
            return "removed";
    }
    return "unknown";
}

bool transition_allowed(BayState from, BayState to) {
    using S = BayState;
    // fault and removed are reachable from anywhere; removed leads back to empty.
    if (to == S::fault || to == S::removed) return from != S::empty || to == S::removed;
    static constexpr std::array<std::pair<S, S>, 12> table{{
        {S::empty, S::detected},
        {S::removed, S::empty},
        {S::detected, S::identified},
        {S::identified, S::checking},
        {S::checking, S::offloading},
        {S::offloading, S::verifying},
        {S::offloading, S::staged},  // verify: none
        {S::verifying, S::staged},
        {S::staged, S::wiping},
        {S::staged, S::ready},
        {S::wiping, S::ready},
        {S::wiping, S::staged},  // wiped; still charging
    }};
    for (const auto& [f, t] : table)
        if (f == from && t == to) return true;
    return false;
}

void check_transition(BayState from, BayState to) {
    if (!transition_allowed(from, to))
        throw std::logic_error("illegal bay transition " + std::string(to_string(from)) + " -> " +
                               std::string(to_string(to)));
}

}  // namespace dockd::bay
