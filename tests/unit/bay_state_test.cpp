// The bay's transition table: the walks a docking takes are allowed, an
// illegal step is an error naming both states (Bay::set_state throws it and
// Bay::run makes it a fault of the docking: the session never proceeds).
#include "daemon/bay/bay_state.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

namespace dockd::bay {
namespace {

using S = BayState;

void walk(const std::vector<S>& states) {
    for (std::size_t i = 1; i < states.size(); ++i) {
        SCOPED_TRACE(std::string(to_string(states[i - 1])) + " -> " + std::string(to_string(states[i])));
        EXPECT_TRUE(transition_allowed(states[i - 1], states[i]));
        EXPECT_NO_THROW(check_transition(states[i - 1], states[i]));
    }
}

TEST(BayStateTable, EveryWalkADockingTakesIsAllowed) {
    walk({S::empty, S::detected, S::identified, S::checking, S::offloading, S::verifying, S::staged, S::wiping,
          S::ready, S::removed, S::empty});
    walk({S::empty, S::detected, S::identified, S::checking, S::offloading, S::staged, S::ready});  // verify: none
    walk({S::staged, S::wiping, S::staged, S::ready});  // wiped while still charging
    for (S from :
         {S::detected, S::identified, S::checking, S::offloading, S::verifying, S::staged, S::wiping, S::ready})
        walk({from, S::fault, S::removed, S::empty});
}

TEST(BayStateTable, IllegalStepsThrowNamingBothStates) {
    for (const auto& [from, to] : std::vector<std::pair<S, S>>{{S::empty, S::offloading},
                                                               {S::offloading, S::ready},
                                                               {S::fault, S::staged},
                                                               {S::ready, S::offloading},
                                                               {S::empty, S::fault},
                                                               {S::checking, S::wiping}}) {
        EXPECT_FALSE(transition_allowed(from, to));
        try {
            check_transition(from, to);
            ADD_FAILURE() << to_string(from) << " -> " << to_string(to) << " did not throw";
        } catch (const std::logic_error& e) {
            EXPECT_EQ(std::string(e.what()),
                      "illegal bay transition " + std::string(to_string(from)) + " -> " + std::string(to_string(to)));
        }
    }
}

}  // namespace
}  // namespace dockd::bay
