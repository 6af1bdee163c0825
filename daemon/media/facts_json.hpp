// MediaFacts as the manifest, the API and audit readers see them (DESIGN §13):
// {"container", "duration_ms", "video": {codec, width, height} | null,
//  "audio": {codec} | null, "created_at", "integrity", "detail"}, unknown parts
// null; the whole object null while the file was not probed.
#pragma once

#include <boost/json/value.hpp>
#include <optional>

#include "daemon/custody/media_facts.hpp"

namespace dockd::media {

boost::json::value facts_json(const std::optional<MediaFacts>& facts);

}  // namespace dockd::media
