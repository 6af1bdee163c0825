#include "daemon/archive/file_target.hpp"
#include "daemon/archive/s3/s3_target.hpp"
#include "daemon/archive/throttle.hpp"

namespace dockd::archive {

TargetOptions target_options(const config::UploadConfig& upload) {
    TargetOptions o;
    o.part_size_bytes = upload.part_size;
    if (upload.bandwidth_limit_bytes_per_s > 0)
        o.throttle = std::make_shared<Throttle>(upload.bandwidth_limit_bytes_per_s);
    return o;
}

Result<std::unique_ptr<Target>> make_target(const config::TargetConfig& cfg, const std::string& station_id,
                                            const TargetOptions& options) {
    switch (cfg.kind) {
        case config::TargetKind::file:
            return std::unique_ptr<Target>(new FileTarget(cfg.url, cfg.file_root, station_id));
        case config::TargetKind::s3:
            return s3::S3Target::create(cfg, options);
    }
    return Error{cfg.url + ": unknown target kind"};
}

}  // namespace dockd::archive
