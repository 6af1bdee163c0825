// libFuzzer target: device.json of a simulated recorder, as the sim driver
// parses it from a bay directory anyone with write access can fill.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "drivers/sim/device_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto r = dockd::drivers::sim::parse_device_file(text);
    if (!r) {
        if (r.error().message.empty()) std::abort();
        return 0;
    }
    if (r->battery_percent && (*r->battery_percent < 0 || *r->battery_percent > 100)) std::abort();
    return 0;
}
