#include "daemon/custody/sqlite.hpp"

#include <stdexcept>

namespace dockd::custody {
namespace {
[[noreturn]] void fail(sqlite3* db, std::string_view what) {
    throw std::runtime_error("sqlite: " + std::string(what) + ": " + sqlite3_errmsg(db));
}
}  // namespace

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db), stmt_(nullptr, &sqlite3_finalize) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &s, nullptr) != SQLITE_OK)
        fail(db, "prepare " + std::string(sql.substr(0, 60)));
    stmt_.reset(s);
}

Statement& Statement::bind(int index, std::int64_t v) {
    sqlite3_bind_int64(stmt_.get(), index, v);
    return *this;
}

Statement& Statement::bind(int index, std::string_view v) {
    sqlite3_bind_text(stmt_.get(), index, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
}

Statement& Statement::bind(int index, const std::optional<std::string>& v) {
    return v ? bind(index, std::string_view(*v)) : bind_null(index);
}

Statement& Statement::bind(int index, const std::optional<std::int64_t>& v) {
    return v ? bind(index, *v) : bind_null(index);
}

Statement& Statement::bind_null(int index) {
    sqlite3_bind_null(stmt_.get(), index);
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(stmt_.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(db_, "step " + std::string(sqlite3_sql(stmt_.get())).substr(0, 60));
}

std::string Statement::text(int col) const {
    const auto* p = sqlite3_column_text(stmt_.get(), col);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), col)))
             : std::string();
}

std::optional<std::string> Statement::opt_text(int col) const {
    if (is_null(col)) return std::nullopt;
    return text(col);
}

std::optional<std::int64_t> Statement::opt_int64(int col) const {
    if (is_null(col)) return std::nullopt;
    return int64(col);
}

Result<Database> Database::open(const std::filesystem::path& file) {
    sqlite3* raw = nullptr;
    const int rc =
        sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    Database db(raw);
    if (rc != SQLITE_OK) return Error{"open " + file.string() + ": " + (raw ? sqlite3_errmsg(raw) : "out of memory")};
    try {
        // WAL for concurrent readers; synchronous=FULL because a commit is the
        // moment custody passes to the station and must survive a power cut.
        db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
        sqlite3_busy_timeout(raw, 5000);
    } catch (const std::exception& e) {
        return Error{file.string() + ": " + e.what()};
    }
    return db;
}

void Database::exec(std::string_view sql) {
    char* msg = nullptr;
    if (sqlite3_exec(db_.get(), std::string(sql).c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
        std::string m = msg ? msg : "unknown";
        sqlite3_free(msg);
        throw std::runtime_error("sqlite: " + m);
    }
}

Transaction::Transaction(Database& db) : db_(db) {
    db_.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
    if (!done_) {
        try {
            db_.exec("ROLLBACK");
        } catch (...) {
        }
    }
}

void Transaction::commit() {
    db_.exec("COMMIT");
    done_ = true;
}

}  // namespace dockd::custody
