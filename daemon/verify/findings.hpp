// One discrepancy: what is wrong, and where (target, station, docking, object).
#pragma once

#include <string>

namespace dockd::verify {

struct Finding {
    std::string target, station, docking, object;
    std::string check;  // stable code: chain_gap, manifest_missing, object_sha256, ...
    std::string message;
};

}  // namespace dockd::verify
