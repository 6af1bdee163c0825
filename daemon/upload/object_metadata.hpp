// Custody facts attached to each archived object (seed R9: recorder, officer,
// times, case; seed R8: retention), so an object read on its own still says
// what it is. The manifest stays the signed, complete record.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "daemon/config/rules.hpp"
#include "daemon/custody/store.hpp"

namespace dockd::upload {

using ObjectMetadata = std::vector<std::pair<std::string, std::string>>;

// Names are lower-case ASCII; values percent-encoded UTF-8, each at most
// max_value_bytes, so the set stays within S3's 2 KiB of user metadata.
ObjectMetadata object_metadata(custody::Store& store, const std::string& station_id,
                               const config::RetentionConfig& retention, std::int64_t file_id);

// A file's end of retention (seed R7) from its class and times; the one
// computation behind the manifest, the amendment, the metadata and Object Lock.
inline std::optional<config::RetainUntil> retain_until_of(const config::RetentionConfig& retention,
                                                          const custody::FileRecord& f) {
    return config::retain_until(retention, f.class_name(), f.recorded_at, f.ingested_at);
}

inline constexpr std::size_t max_value_bytes = 160;

}  // namespace dockd::upload
