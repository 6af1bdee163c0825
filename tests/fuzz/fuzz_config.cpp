// libFuzzer target: the configuration loader (YAML text -> typed Config or
// FILE:LINE errors). Checks that every outcome is one or the other, and that
// an accepted config names no string that is not UTF-8.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "daemon/common/utf8.hpp"
#include "daemon/config/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const auto r = dockd::config::parse_config(text, "/nonexistent/fuzz/dockd.yaml");
    if (r.config.has_value() == !r.errors.empty()) std::abort();  // exactly one of config or errors
    for (const auto& e : r.errors)
        if (e.line < 0 || e.message.empty()) std::abort();
    if (r.config) {
        const auto& s = r.config->station;
        for (const std::string* t : {&s.id, &s.name})
            if (dockd::utf8_invalid_at(*t) != std::string::npos) std::abort();
    }
    return 0;
}
