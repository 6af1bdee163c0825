#include "daemon/custody/audit_segments.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cstdio>

namespace dockd::custody {
namespace {
std::string seq12(std::int64_t seq) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%012lld", static_cast<long long>(seq));
    return buf;
}
}  // namespace

std::string segment_line(std::int64_t seq, std::string_view at, std::string_view kind, std::string_view payload,
                         std::string_view hash) {
    // boost::json keeps insertion order: the line reads in §11's field order.
    boost::json::object row;
    row["seq"] = seq;
    row["at"] = at;
    row["kind"] = kind;
    row["payload"] = payload;
    row["hash"] = hash;
    return boost::json::serialize(row) + "\n";
}

std::string segment_key(const std::string& station_id, std::int64_t first_seq, std::int64_t last_seq) {
    return "audit/" + station_id + "/" + seq12(first_seq) + "-" + seq12(last_seq) + ".jsonl";
}

std::string amendment_key(const std::string& station_id, const std::string& docking_id, std::int64_t seq) {
    return "amendments/" + station_id + "/" + docking_id + "/" + seq12(seq) + ".json";
}

std::string key_object(const std::string& station_id, int key_no) {
    return "keys/" + station_id + "/" + std::to_string(key_no) + ".pem";
}

}  // namespace dockd::custody
