// dockd-verify's run over every TARGET (DESIGN §11): each target on its own,
// then what spans them (long_term files present everywhere).
#pragma once

#include <vector>

#include "daemon/verify/options.hpp"
#include "daemon/verify/state.hpp"
#include "daemon/verify/target_pass.hpp"

namespace dockd::verify {

struct RunResult {
    Counts counts;
    std::vector<StationSummary> stations;
};

// An error is a usage problem (keys, target options): exit 2. Discrepancies
// go to state's findings.
Result<RunResult> run(const Options& options, State& state);

}  // namespace dockd::verify
