#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "daemon/bay/bay_state.hpp"

namespace dockd::bay {

// A copy of what a bay shows to people (API, terminal, page).
struct BayStatus {
    int id = 0;
    BayState state = BayState::empty;
    std::string serial, model, officer_no, officer_name, docking_id, error;
    std::optional<int> battery_percent;
    std::optional<std::int64_t> clock_offset_ms;
    std::uint64_t files_done = 0, files_total = 0, bytes_done = 0, bytes_total = 0;
    std::uint64_t files_refused = 0, files_failed = 0;
};

}  // namespace dockd::bay
