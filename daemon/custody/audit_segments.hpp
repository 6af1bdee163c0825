// The published form of the audit chain (DESIGN §11): one JSON object per
// line, {"seq", "at", "kind", "payload", "hash"}, where payload is the exact
// stored text as a JSON string so §8's hash can be recomputed byte for byte.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace dockd::custody {

// One line, newline included.
std::string segment_line(std::int64_t seq, std::string_view at, std::string_view kind, std::string_view payload,
                         std::string_view hash);
// audit/<station_id>/<first_seq:012d>-<last_seq:012d>.jsonl
std::string segment_key(const std::string& station_id, std::int64_t first_seq, std::int64_t last_seq);
// amendments/<station_id>/<docking_id>/<seq:012d>.json
std::string amendment_key(const std::string& station_id, const std::string& docking_id, std::int64_t seq);
// keys/<station_id>/<key_no>.pem
std::string key_object(const std::string& station_id, int key_no);

}  // namespace dockd::custody
