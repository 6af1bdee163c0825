#include "daemon/verify/verifier.hpp"

#include "daemon/archive/target.hpp"
#include "daemon/common/fs.hpp"

namespace dockd::verify {
namespace {

// DIR/<station_id>.pem: each station's key 1, enrolled out of band.
Result<std::map<std::string, std::string>> enrolled_keys(const std::filesystem::path& dir) {
    std::map<std::string, std::string> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
        if (e.path().extension() != ".pem") continue;
        auto text = read_file(e.path());
        if (!text) return text.error();
        auto key = crypto::PublicKey::from_pem(*text);
        if (!key) return key.error().context(e.path().string());
        out.emplace(e.path().stem().string(), key->pem());
    }
    if (ec) return Error{"--keys " + dir.string() + ": " + ec.message()};
    return out;
}

// long_term footage (seed R8) must be on every target: a copy one target
// lacks is reported there, unless that target's own check already did.
void check_long_term(const Options& o, State& state, const std::vector<std::string>& urls) {
    auto& db = state.db();
    auto st = db.prepare(
        "SELECT DISTINCT e.object, e.station, e.docking FROM entries e JOIN docs d ON d.target=e.target AND "
        "d.document=e.document WHERE e.retention='long_term' AND d.problem='' ORDER BY e.object");
    while (st.step()) {
        if (!owns(o, st.text(0))) continue;
        for (const auto& url : urls) {
            auto have = db.prepare(
                "SELECT EXISTS (SELECT 1 FROM listing WHERE target=?1 AND key=?2) OR EXISTS (SELECT 1 FROM expected "
                "WHERE target=?1 AND key=?2)");
            have.bind(1, url).bind(2, st.text(0));
            have.step();
            if (have.int64(0) == 0)
                state.add({url, st.text(1), st.text(2), st.text(0), "long_term_missing",
                           "a long_term file, not on this target (every target must hold one)"});
        }
    }
}

}  // namespace

Result<RunResult> run(const Options& o, State& state) {
    auto enrolled = enrolled_keys(o.keys_dir);
    if (!enrolled) return enrolled.error();
    std::vector<std::unique_ptr<archive::Target>> targets;
    for (const auto& cfg : o.targets) {
        auto t = archive::make_target(cfg, "dockd-verify");
        if (!t) return t.error();
        targets.push_back(std::move(*t));
    }
    RunResult result;
    Progress progress(o.progress);
    std::vector<std::string> urls;
    for (auto& t : targets) {
        TargetPass pass(o, state, *t, *enrolled, result.counts, progress);
        pass.run();
        urls.push_back(t->url());
        result.stations.insert(result.stations.end(), pass.summaries().begin(), pass.summaries().end());
    }
    if (urls.size() > 1) check_long_term(o, state, urls);
    return result;
}

}  // namespace dockd::verify
