// The archive seam (DESIGN §7): file:// now, s3:// next. A target either
// ends up holding exactly the offered bytes under the key, confirmed by size
// and SHA-256, or reports why not. It never overwrites different bytes.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "daemon/common/result.hpp"
#include "daemon/config/config.hpp"

namespace dockd::archive {

struct ObjectInfo {
    std::string sha256;  // hex
    std::uint64_t size_bytes = 0;
};

class Target {
public:
    virtual ~Target() = default;
    virtual const std::string& url() const = 0;
    virtual Result<void> put_file(const std::string& key, const std::filesystem::path& source,
                                  const ObjectInfo& info, const std::atomic<bool>& cancelled) = 0;
    virtual Result<void> put_bytes(const std::string& key, std::string_view content) = 0;
    // At start-up, before any put: clear what an interrupted run left behind.
    virtual Result<void> recover() = 0;
};

// station_id keeps this station's temporary state apart on a shared target.
Result<std::unique_ptr<Target>> make_target(const config::TargetConfig& cfg, const std::string& station_id);

}  // namespace dockd::archive
