#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/bay/bay_state.hpp"
#include "daemon/bay/gates.hpp"

namespace dockd::bay {

// A copy of what a bay shows to people (API, terminal, page).
struct BayStatus {
    int id = 0;
    BayState state = BayState::empty;
    std::string serial, model, officer_no, officer_name, docking_id, error;
    std::optional<int> battery_percent;           // nullopt: the recorder cannot report it
    std::optional<std::int64_t> clock_offset_ms;  // nullopt: not measured
    std::optional<bool> clock_plausible;          // nullopt: not measured
    std::optional<std::string> clock_set;         // custody::ClockSet as text, once the clock step ran
    std::uint64_t files_done = 0, files_total = 0, bytes_done = 0, bytes_total = 0;
    std::uint64_t files_refused = 0, files_failed = 0;
    std::vector<Gate> gates;         // what "ready" needs, each met or why not (once checked)
    std::string ready_rule;          // the charge rule that made the bay ready
    std::vector<std::string> notes;  // facts a person should see (assignment disagrees, files kept)
};

}  // namespace dockd::bay
