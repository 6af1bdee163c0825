// Listing a target and reading the documents it holds that the cache does
// not know yet: segments, manifests, amendments (with their .sig) and keys.
#include "daemon/common/hex.hpp"
#include "daemon/verify/documents.hpp"
#include "daemon/verify/target_pass.hpp"

namespace dockd::verify {
namespace {

constexpr std::size_t max_segment_bytes = 16u << 20;   // stations cut at 4 MiB
constexpr std::size_t max_document_bytes = 32u << 20;  // manifests, amendments
constexpr std::size_t max_key_bytes = 64u << 10;

const char* layout_name(Layout l) {
    switch (l) {
        case Layout::segment:
            return "segment";
        case Layout::manifest:
            return "manifest";
        case Layout::amendment:
            return "amendment";
        case Layout::key:
            return "key";
        case Layout::media:
            return "media";
        case Layout::unknown:
            break;
    }
    return "unknown";
}

std::size_t keep_for(const std::string& layout) {
    return layout == "segment" ? max_segment_bytes : layout == "key" ? max_key_bytes : max_document_bytes;
}

}  // namespace

bool TargetPass::list() {
    auto& db = state_.db();
    auto insert = db.prepare(
        "INSERT OR REPLACE INTO listing(target, key, size, version, layout, station, docking, document, sig, "
        "first_seq, last_seq, key_no) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)");
    auto r = target_.list("", [&](const archive::ObjectStat& o) -> Result<void> {
        const ObjectName n = classify(o.key);
        insert.reset();
        insert.bind(1, url_)
            .bind(2, o.key)
            .bind(3, o.size_bytes)
            .bind(4, o.version)
            .bind(5, layout_name(n.layout))
            .bind(6, n.station.empty() ? std::nullopt : std::optional<std::string>(n.station))
            .bind(7, n.docking.empty() ? std::nullopt : std::optional<std::string>(n.docking))
            .bind(8, n.document.empty() ? std::nullopt : std::optional<std::string>(n.document))
            .bind(9, n.signature ? 1 : 0)
            .bind(10, n.first_seq)
            .bind(11, n.last_seq)
            .bind(12, n.key_no)
            .run();
        ++counts_.listed;
        return {};
    });
    if (!r) {
        add("", "", "", "target_unreadable", "cannot list the target: " + r.error().message);
        return false;
    }
    return true;
}

// What the cache says about a document holds only while the document and its
// .sig keep the version it was read at; --full forgets it all.
void TargetPass::drop_stale() {
    auto& db = state_.db();
    db.prepare(
          "DELETE FROM docs WHERE target=?1 AND (?2 OR version <> COALESCE((SELECT version FROM listing l "
          "WHERE l.target=?1 AND l.key=docs.document), '') OR sig_version <> COALESCE((SELECT version FROM listing l "
          "WHERE l.target=?1 AND l.key=docs.document || '.sig'), ''))")
        .bind(1, url_)
        .bind(2, o_.full ? 1 : 0)
        .run();
    for (const char* table : {"facts", "row_hashes", "entries"})
        db.prepare(std::string("DELETE FROM ") + table +
                   " WHERE target=?1 AND document NOT IN (SELECT document FROM docs WHERE target=?1)")
            .bind(1, url_)
            .run();
    db.prepare(
          "DELETE FROM contents WHERE target=?1 AND (?2 OR NOT EXISTS (SELECT 1 FROM listing l WHERE l.target=?1 "
          "AND l.key=contents.key AND l.version=contents.version AND l.size=contents.size))")
        .bind(1, url_)
        .bind(2, o_.full ? 1 : 0)
        .run();
}

void TargetPass::read_documents(bool keys_only) {
    auto& db = state_.db();
    db.exec(
        "DROP TABLE IF EXISTS temp.todo; CREATE TEMP TABLE todo(n INTEGER PRIMARY KEY, key TEXT, layout TEXT, "
        "sig INTEGER, size INTEGER)");
    db.prepare(
          "INSERT INTO todo(key, layout, sig, size) SELECT l.key, l.layout, EXISTS (SELECT 1 FROM listing s WHERE "
          "s.target=l.target AND s.key=l.key || '.sig'), l.size FROM listing l WHERE l.target=?1 AND l.sig=0 "
          "AND (CASE WHEN ?2 THEN l.layout='key' ELSE l.layout IN ('segment','manifest','amendment') END) "
          "AND NOT EXISTS (SELECT 1 FROM docs d WHERE d.target=?1 AND d.document=l.key) ORDER BY l.key")
        .bind(1, url_)
        .bind(2, keys_only ? 1 : 0)
        .run();
    auto total = db.prepare("SELECT COUNT(*), COALESCE(SUM(size), 0) FROM todo");
    total.step();
    progress_.begin(url_ + (keys_only ? " keys" : " documents"), static_cast<std::uint64_t>(total.int64(0)),
                    static_cast<std::uint64_t>(total.int64(1)));
    bool finished = false;
    auto todo = db.prepare("SELECT key, layout, sig FROM todo ORDER BY n");
    read_all(
        target_, o_.jobs,
        [&]() -> std::optional<ReadJob> {
            if (!next_row(todo, finished)) return std::nullopt;
            return ReadJob{todo.text(0), keep_for(todo.text(1)), todo.int64(2) != 0};
        },
        [&](const ReadJob& job, ReadOutcome& outcome) {
            store(job, outcome);
            progress_.advance(outcome.bytes);
        });
    progress_.end();
}

void TargetPass::store(const ReadJob& job, ReadOutcome& out) {
    auto& db = state_.db();
    counts_.read += 1 + (out.signature ? 1 : 0);
    counts_.bytes_read += out.bytes;
    auto l = db.prepare("SELECT layout, station, docking, version FROM listing WHERE target=? AND key=?");
    l.bind(1, url_).bind(2, job.key);
    if (!l.step()) return;
    const std::string layout = l.text(0), station = l.text(1);
    std::string problem, signature;
    if (out.signature && *out.signature) signature = to_hex(**out.signature);
    if (!out.status)
        problem = "unreadable: " + out.status.error().message;
    else if (out.signature && !*out.signature)
        problem = "signature unreadable: " + out.signature->error().message;
    auto sig_version = db.prepare("SELECT version FROM listing WHERE target=? AND key=?");
    sig_version.bind(1, url_).bind(2, job.key + ".sig");
    // An unreadable object is not cached (empty version): the next run tries it again.
    db.prepare(
          "INSERT OR REPLACE INTO docs(target, document, layout, station, docking, version, sig_version, signature, "
          "verified_by, problem) VALUES(?,?,?,?,?,?,?,?,'',?)")
        .bind(1, url_)
        .bind(2, job.key)
        .bind(3, layout)
        .bind(4, station)
        .bind(5, l.opt_text(2))
        .bind(6, problem.empty() ? l.text(3) : std::string())
        .bind(7, sig_version.step() ? sig_version.text(0) : std::string())
        .bind(8, signature)
        .bind(9, problem)
        .run();
    if (!problem.empty()) return;
    if (layout == "segment") problem = store_segment(job.key, station, out.body);
    if (layout == "manifest") problem = store_manifest(job.key, out.body);
    if (layout == "amendment") problem = store_amendment(job.key, out.body);
    std::optional<std::string> pem;
    if (layout == "key") {
        auto key = crypto::PublicKey::from_pem(out.body);
        if (key)
            pem = key->pem();
        else
            problem = key.error().message;
    }
    const std::string verified =
        layout == "key" ? std::string()
                        : verified_by(station, out.body, out.signature ? *out.signature : Result<std::string>(Error{}));
    db.prepare("UPDATE docs SET problem=?, pem=?, verified_by=? WHERE target=? AND document=?")
        .bind(1, problem)
        .bind(2, pem)
        .bind(3, verified)
        .bind(4, url_)
        .bind(5, job.key)
        .run();
}

// Rows, facts and hashes of one segment; its problems within itself (the link
// to the previous segment is checked with the chain).
std::string TargetPass::store_segment(const std::string& key, const std::string& station, const std::string& body) {
    auto& db = state_.db();
    auto name = classify(key);
    auto parsed = parse_segment(body);
    auto check = check_rows(parsed.rows, name.first_seq, name.last_seq, std::nullopt);
    if (parsed.problem) check.problems.insert(check.problems.begin(), *parsed.problem);
    auto hash = db.prepare("INSERT OR IGNORE INTO row_hashes(target, station, seq, hash, document) VALUES(?,?,?,?,?)");
    auto fact = db.prepare(
        "INSERT INTO facts(target, station, document, seq, at, kind, docking, file_id, object, sha256, size, detail, "
        "number) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)");
    for (const auto& row : parsed.rows) {
        hash.reset();
        hash.bind(1, url_).bind(2, station).bind(3, row.seq).bind(4, row.hash).bind(5, key).run();
        auto f = fact_of(row);
        if (!f) continue;
        fact.reset();
        fact.bind(1, url_)
            .bind(2, station)
            .bind(3, key)
            .bind(4, row.seq)
            .bind(5, row.at)
            .bind(6, f->kind)
            .bind(7, f->docking)
            .bind(8, f->file_id)
            .bind(9, f->object)
            .bind(10, f->sha256)
            .bind(11, f->size)
            .bind(12, f->detail)
            .bind(13, f->number)
            .run();
    }
    std::string problems;
    for (const auto& p : check.problems) problems += (problems.empty() ? "" : "; ") + p;
    if (parsed.rows.empty()) return problems;
    db.prepare(
          "UPDATE docs SET first_seq=?, last_seq=?, first_payload=?, first_hash=?, last_hash=?, last_at=? "
          "WHERE target=? AND document=?")
        .bind(1, name.first_seq)
        .bind(2, name.last_seq)
        .bind(3, parsed.rows.front().payload)
        .bind(4, check.first_hash)
        .bind(5, check.last_hash)
        .bind(6, parsed.rows.back().at)
        .bind(7, url_)
        .bind(8, key)
        .run();
    return problems;
}

// A manifest's or amendment's head, and the objects it names, stored for the checks.
template <class View>
std::string TargetPass::store_entries(const std::string& key, const Result<View>& view,
                                      const std::vector<FileEntry>& files) {
    auto& db = state_.db();
    if (!view) return view.error().message;
    const ObjectName name = classify(key);
    if (view->station != name.station || view->docking != name.docking)
        return "names station " + view->station + " and docking " + view->docking + ", yet is stored as " + key;
    if (name.layout == Layout::amendment && view->audit_seq != name.first_seq)
        return "cites audit seq " + std::to_string(view->audit_seq) + ", yet is named for seq " +
               std::to_string(name.first_seq);
    db.prepare("UPDATE docs SET first_seq=?1, last_seq=?1, head_hash=?2 WHERE target=?3 AND document=?4")
        .bind(1, view->audit_seq)
        .bind(2, view->audit_hash)
        .bind(3, url_)
        .bind(4, key)
        .run();
    for (const auto& f : files)
        db.prepare(
              "INSERT INTO entries(target, document, station, docking, object, sha256, size, retention) "
              "VALUES(?,?,?,?,?,?,?,?)")
            .bind(1, url_)
            .bind(2, key)
            .bind(3, view->station)
            .bind(4, view->docking)
            .bind(5, f.object)
            .bind(6, f.sha256)
            .bind(7, f.has_size ? std::optional<std::int64_t>(static_cast<std::int64_t>(f.size)) : std::nullopt)
            .bind(8, f.retention.empty() ? std::nullopt : std::optional<std::string>(f.retention))
            .run();
    return {};
}

std::string TargetPass::store_manifest(const std::string& key, const std::string& body) {
    auto view = parse_manifest(body);
    return store_entries(key, view, view ? view->files : std::vector<FileEntry>{});
}

std::string TargetPass::store_amendment(const std::string& key, const std::string& body) {
    auto view = parse_amendment(body);
    return store_entries(key, view, view ? view->changes : std::vector<FileEntry>{});
}

// Every key a station's signature may honestly be under: the enrolled one,
// the published ones and those the chain announces. Which one is right is
// decided later, from the chain.
void TargetPass::load_candidates() {
    auto& db = state_.db();
    candidates_.clear();
    for (const auto& [station, pem] : enrolled_) candidates_[station].push_back(pem);
    auto st = db.prepare(
        "SELECT station, pem FROM docs WHERE target=?1 AND layout='key' AND pem IS NOT NULL UNION "
        "SELECT station, detail FROM facts WHERE target=?1 AND kind='key_rotated'");
    st.bind(1, url_);
    while (st.step()) {
        auto key = crypto::PublicKey::from_pem(st.text(1));
        if (!key) continue;
        auto& list = candidates_[st.text(0)];
        if (std::find(list.begin(), list.end(), key->pem()) == list.end()) list.push_back(key->pem());
    }
    for (const auto& [station, pems] : candidates_)
        for (const auto& pem : pems)
            if (!public_keys_.count(pem)) public_keys_.emplace(pem, *crypto::PublicKey::from_pem(pem));
}

std::string TargetPass::verified_by(const std::string& station, const std::string& message,
                                    const Result<std::string>& signature) {
    if (!signature) return {};
    for (const auto& pem : candidates_[station])
        if (public_keys_.at(pem).verify(message, *signature)) return pem;
    return {};
}

}  // namespace dockd::verify
