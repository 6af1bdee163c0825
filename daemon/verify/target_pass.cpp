#include "daemon/verify/target_pass.hpp"

namespace dockd::verify {

bool owns(const Options& o, std::string_view name) {
    if (o.shards <= 1) return true;
    std::uint64_t h = 1469598103934665603ull;  // FNV-1a 64: stable across machines and runs
    for (unsigned char c : name) h = (h ^ c) * 1099511628211ull;
    return static_cast<int>(h % static_cast<std::uint64_t>(o.shards)) == o.shard - 1;
}

TargetPass::TargetPass(const Options& options, State& state, archive::Target& target,
                       const std::map<std::string, std::string>& enrolled, Counts& counts, Progress& progress)
    : o_(options),
      state_(state),
      target_(target),
      url_(target.url()),
      enrolled_(enrolled),
      counts_(counts),
      progress_(progress) {}

void TargetPass::add(const std::string& station, const std::string& docking, const std::string& object,
                     const std::string& check, const std::string& message) {
    state_.add({url_, station, docking, object, check, message});
}

// Stations with a document on this target, and every enrolled one (an
// enrolled station that publishes nothing is itself a finding).
std::vector<std::string> TargetPass::stations() {
    std::vector<std::string> out;
    auto st = state_.db().prepare(
        "SELECT DISTINCT station FROM listing WHERE target=? AND station IS NOT NULL AND layout IN "
        "('segment','manifest','amendment','key') ORDER BY station");
    st.bind(1, url_);
    while (st.step()) out.push_back(st.text(0));
    for (const auto& [station, pem] : enrolled_)
        if (std::find(out.begin(), out.end(), station) == out.end()) out.push_back(station);
    return out;
}

// One transaction for the whole pass: the cache is updated at once or not
// at all, and thousands of small writes cost no commit each.
void TargetPass::run() {
    custody::Transaction tx(state_.db());
    run_checks();
    tx.commit();
}

void TargetPass::run_checks() {
    if (!list()) return;
    drop_stale();
    read_documents(true);  // keys first: the candidates every signature is tried with
    load_candidates();
    read_documents(false);
    for (const auto& station : stations()) {
        if (!owns(o_, station)) continue;
        StationSummary summary;
        summary.station = station, summary.target = url_;
        if (!enrolled_.count(station))
            add(station, "", o_.keys_dir.string() + "/" + station + ".pem", "key_unenrolled",
                "no enrolled key for this station: its signatures cannot be checked");
        check_chain(station, summary);
        check_manifests(station, summary);
        check_amendments(station, summary);
        check_keys(station, summary);
        check_owed(station);
        summaries_.push_back(std::move(summary));
    }
    check_objects();
    check_unreferenced();
}

}  // namespace dockd::verify
