// Reads one media file of a simulated recorder with the faults device.json
// asks for (DESIGN §6): I/O errors at offsets, stalls, a throttled rate, and
// "recorder removed" as soon as the bay directory goes away.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/common/fs.hpp"
#include "drivers/recorder.hpp"
#include "drivers/sim/docking.hpp"

namespace dockd::drivers::sim {

struct ReadFaults {
    std::vector<std::uint64_t> io_error_offsets;     // sorted
    std::optional<std::uint64_t> stall_after_bytes;  // across the recorder
    std::uint64_t read_bytes_per_s = 0;              // 0 = unthrottled
};

class SimMediaReader : public MediaReader {
public:
    SimMediaReader(std::shared_ptr<Docking> docking, UniqueFd fd, ReadFaults faults);

    Result<std::size_t> read(std::span<std::byte> buf) override;

private:
    // How many bytes the next read may take before a fault, or an error.
    Result<std::size_t> allowance(std::size_t want);

    std::shared_ptr<Docking> docking_;
    UniqueFd fd_;
    ReadFaults faults_;
    std::uint64_t pos_ = 0;
};

}  // namespace dockd::drivers::sim
