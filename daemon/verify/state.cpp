#include "daemon/verify/state.hpp"

#include <unistd.h>

namespace dockd::verify {
namespace {

// Cached across runs (version 1). Facts belong to the document they came
// from: when it changes or vanishes they go with it.
constexpr const char* schema = R"sql(
CREATE TABLE IF NOT EXISTS docs(
  target TEXT NOT NULL, document TEXT NOT NULL, layout TEXT NOT NULL, station TEXT NOT NULL, docking TEXT,
  version TEXT NOT NULL, sig_version TEXT NOT NULL,
  first_seq INTEGER, last_seq INTEGER, head_hash TEXT,
  signature TEXT NOT NULL, verified_by TEXT NOT NULL, problem TEXT NOT NULL,
  first_payload TEXT, first_hash TEXT, last_hash TEXT, last_at TEXT, pem TEXT,
  PRIMARY KEY(target, document));
CREATE TABLE IF NOT EXISTS facts(
  target TEXT NOT NULL, station TEXT NOT NULL, document TEXT NOT NULL, seq INTEGER NOT NULL, at TEXT,
  kind TEXT NOT NULL, docking TEXT, file_id INTEGER, object TEXT, sha256 TEXT, size INTEGER, detail TEXT,
  number INTEGER);
CREATE INDEX IF NOT EXISTS facts_kind ON facts(target, station, kind, seq);
CREATE INDEX IF NOT EXISTS facts_document ON facts(target, document);
CREATE TABLE IF NOT EXISTS row_hashes(
  target TEXT NOT NULL, station TEXT NOT NULL, seq INTEGER NOT NULL, hash TEXT NOT NULL, document TEXT NOT NULL,
  PRIMARY KEY(target, station, seq)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS row_hashes_document ON row_hashes(target, document);
CREATE TABLE IF NOT EXISTS entries(
  target TEXT NOT NULL, document TEXT NOT NULL, station TEXT NOT NULL, docking TEXT NOT NULL, object TEXT NOT NULL,
  sha256 TEXT NOT NULL, size INTEGER, retention TEXT);
CREATE INDEX IF NOT EXISTS entries_document ON entries(target, document);
CREATE INDEX IF NOT EXISTS entries_object ON entries(object);
CREATE TABLE IF NOT EXISTS contents(
  target TEXT NOT NULL, key TEXT NOT NULL, size INTEGER NOT NULL, version TEXT NOT NULL, sha256 TEXT NOT NULL,
  PRIMARY KEY(target, key));
CREATE TEMP TABLE listing(
  target TEXT NOT NULL, key TEXT NOT NULL, size INTEGER NOT NULL, version TEXT NOT NULL, layout TEXT NOT NULL,
  station TEXT, docking TEXT, document TEXT, sig INTEGER NOT NULL, first_seq INTEGER, last_seq INTEGER,
  key_no INTEGER, PRIMARY KEY(target, key));
CREATE INDEX temp.listing_document ON listing(target, document);
CREATE TEMP TABLE expected(
  target TEXT NOT NULL, key TEXT NOT NULL, station TEXT, docking TEXT, sha256 TEXT NOT NULL, size INTEGER,
  PRIMARY KEY(target, key));
CREATE TEMP TABLE findings(
  id INTEGER PRIMARY KEY, target TEXT, station TEXT, docking TEXT, object TEXT, check_name TEXT, message TEXT);
)sql";

}  // namespace

Result<State> State::open(const std::filesystem::path& file) {
    std::filesystem::path temp;
    std::filesystem::path path = file;
    if (path.empty()) {
        std::string tmpl = (std::filesystem::temp_directory_path() / "dockd-verify-XXXXXX").string();
        const int fd = ::mkstemp(tmpl.data());
        if (fd < 0) return sys_error("create a temporary cache");
        ::close(fd);
        path = temp = tmpl;
    }
    auto db = custody::Database::open(path);
    if (!db) return db.error();
    try {
        // A cache is rebuilt, never trusted over the archive: speed over durability.
        db->exec("PRAGMA synchronous=OFF; PRAGMA temp_store=FILE; PRAGMA cache_size=-8192;");
        db->exec(schema);
    } catch (const std::exception& e) {
        return Error{path.string() + ": " + e.what()};
    }
    return State(std::move(*db), std::move(temp));
}

State::~State() {
    if (temp_.empty()) return;
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(temp_.string() + suffix, ec);
}

void State::add(const Finding& f) {
    db_.prepare("INSERT INTO findings(target, station, docking, object, check_name, message) VALUES(?,?,?,?,?,?)")
        .bind(1, f.target)
        .bind(2, f.station)
        .bind(3, f.docking)
        .bind(4, f.object)
        .bind(5, f.check)
        .bind(6, f.message)
        .run();
}

std::int64_t State::finding_count() {
    auto st = db_.prepare("SELECT COUNT(*) FROM findings");
    st.step();
    return st.int64(0);
}

}  // namespace dockd::verify
