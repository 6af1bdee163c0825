// What dockd-verify says: a human summary, --json for machines, and a
// Prometheus textfile for node_exporter's collector (--metrics-file).
#pragma once

#include <filesystem>
#include <ostream>

#include "daemon/verify/options.hpp"
#include "daemon/verify/state.hpp"
#include "daemon/verify/verifier.hpp"

namespace dockd::verify {

void print_human(std::ostream& out, const Options& o, State& state, const RunResult& r);
void print_json(std::ostream& out, const Options& o, State& state, const RunResult& r);
// Written to a temp name beside the file and renamed over it, so the
// collector never reads half a file.
Result<void> write_metrics(const std::filesystem::path& file, State& state, const RunResult& r, double duration_s);

}  // namespace dockd::verify
