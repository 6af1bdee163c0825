#include "daemon/verify/report.hpp"

#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <set>
#include <sstream>

#include "daemon/common/fs.hpp"

namespace dockd::verify {
namespace json = boost::json;
namespace {

template <class Fn>
void each_finding(State& state, Fn&& fn) {
    auto st = state.db().prepare(
        "SELECT target, station, docking, object, check_name, message FROM findings ORDER BY target, station, "
        "docking, object, id");
    while (st.step()) fn(Finding{st.text(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5)});
}

std::string mib(std::uint64_t bytes) {
    std::ostringstream s;
    s.precision(1);
    s << std::fixed << static_cast<double>(bytes) / 1048576.0 << " MiB";
    return s.str();
}

// Prometheus label values: backslash, quote and newline escaped (exposition format).
std::string label(const std::string& v) {
    std::string out;
    for (char c : v) {
        if (c == '\\' || c == '"') out += '\\';
        out += c == '\n' ? std::string("\\n") : std::string(1, c);
    }
    return out;
}

}  // namespace

void print_human(std::ostream& out, const Options& o, State& state, const RunResult& r) {
    const auto& c = r.counts;
    out << "dockd-verify: " << o.targets.size() << " target(s)"
        << (o.shards > 1 ? ", shard " + std::to_string(o.shard) + "/" + std::to_string(o.shards) : "") << "; "
        << c.listed << " objects listed, " << c.checked << " checked (" << c.read << " read, " << mib(c.bytes_read)
        << "; " << c.cached << " from the cache)\n";
    for (const auto& s : r.stations)
        out << "  " << s.station << " on " << s.target << ": chain 1.." << s.chain_last << " in " << s.segments
            << " segment(s), " << s.manifests << " manifest(s), " << s.amendments << " amendment(s), " << s.keys
            << " key(s); newest row " << (s.newest_at.empty() ? "-" : s.newest_at) << "\n";
    std::int64_t n = 0;
    each_finding(state, [&](const Finding& f) {
        if (n++ == 0) out << "DISCREPANCIES:\n";
        out << "  " << f.target << "  station " << (f.station.empty() ? "-" : f.station) << "  docking "
            << (f.docking.empty() ? "-" : f.docking) << "\n    " << f.object << ": " << f.check << ": " << f.message
            << "\n";
    });
    out << (n == 0 ? "OK: no discrepancies\n" : std::to_string(n) + " discrepancies\n");
}

void print_json(std::ostream& out, const Options& o, State& state, const RunResult& r) {
    json::array findings, stations;
    each_finding(state, [&](const Finding& f) {
        findings.push_back(json::object{{"target", f.target},
                                        {"station", f.station.empty() ? json::value(nullptr) : json::value(f.station)},
                                        {"docking", f.docking.empty() ? json::value(nullptr) : json::value(f.docking)},
                                        {"object", f.object},
                                        {"check", f.check},
                                        {"message", f.message}});
    });
    for (const auto& s : r.stations)
        stations.push_back(json::object{{"station", s.station},
                                        {"target", s.target},
                                        {"chain_last_seq", s.chain_last},
                                        {"head_hash", s.head_hash},
                                        {"newest_at", s.newest_at},
                                        {"segments", s.segments},
                                        {"manifests", s.manifests},
                                        {"amendments", s.amendments},
                                        {"keys", s.keys}});
    json::array targets;
    for (const auto& t : o.targets) targets.push_back(json::value(t.url));
    const auto& c = r.counts;
    out << json::serialize(json::object{{"ok", findings.empty()},
                                        {"targets", targets},
                                        {"shard", std::to_string(o.shard) + "/" + std::to_string(o.shards)},
                                        {"counts",
                                         {{"objects_listed", c.listed},
                                          {"objects_checked", c.checked},
                                          {"objects_read", c.read},
                                          {"bytes_read", c.bytes_read},
                                          {"objects_cached", c.cached}}},
                                        {"stations", stations},
                                        {"discrepancies", findings}})
        << "\n";
}

Result<void> write_metrics(const std::filesystem::path& file, State& state, const RunResult& r, double duration_s) {
    std::map<std::string, std::int64_t> per_station;
    for (const auto& s : r.stations) per_station[s.station];  // 0 for every clean station
    each_finding(state, [&](const Finding& f) { ++per_station[f.station]; });
    std::ostringstream m;
    m.precision(15);  // integers and Unix time in full, never 1.7e+09
    m << "# HELP dockd_verify_discrepancies Discrepancies the last dockd-verify run found, per station "
         "(station=\"\": objects no station could be named for).\n"
      << "# TYPE dockd_verify_discrepancies gauge\n";
    for (const auto& [station, n] : per_station)
        m << "dockd_verify_discrepancies{station=\"" << label(station) << "\"} " << n << "\n";
    const auto& c = r.counts;
    const auto now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    auto gauge = [&](const char* name, const char* help, double v) {
        m << "# HELP " << name << " " << help << "\n# TYPE " << name << " gauge\n" << name << " " << v << "\n";
    };
    gauge("dockd_verify_objects_checked", "Documents and objects the last run checked.",
          static_cast<double>(c.checked));
    gauge("dockd_verify_objects_read", "Objects the last run read (the rest came from its cache).",
          static_cast<double>(c.read));
    gauge("dockd_verify_bytes_read", "Bytes the last run read.", static_cast<double>(c.bytes_read));
    gauge("dockd_verify_duration_seconds", "How long the last run took.", duration_s);
    gauge("dockd_verify_last_run_timestamp_seconds", "When the last run finished (Unix time).", now);
    return write_file_atomic(file, m.str(), 0644);
}

}  // namespace dockd::verify
