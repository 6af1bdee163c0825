// Thin RAII over the SQLite C API: one connection, prepared statements,
// typed binds. SQL itself stays in custody/ (STYLE habit 9).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/common/result.hpp"

namespace dockd::custody {

class Statement {
public:
    Statement(sqlite3* db, std::string_view sql);
    Statement& bind(int index, std::int64_t v);
    Statement& bind(int index, int v) { return bind(index, static_cast<std::int64_t>(v)); }
    Statement& bind(int index, std::uint64_t v) { return bind(index, static_cast<std::int64_t>(v)); }
    Statement& bind(int index, std::string_view v);
    Statement& bind(int index, const std::string& v) { return bind(index, std::string_view(v)); }
    Statement& bind(int index, const char* v) { return bind(index, std::string_view(v)); }
    Statement& bind(int index, const std::optional<std::string>& v);
    Statement& bind(int index, const std::optional<std::int64_t>& v);
    Statement& bind_null(int index);

    // true while a row is available; throws on error (a failing SQL statement
    // inside the store is a bug or a broken disk, handled at the top).
    bool step();
    void run() {
        while (step()) {
        }
    }
    // Ready to run again with new binds: a statement prepared once for a loop.
    void reset() {
        sqlite3_reset(stmt_.get());
        sqlite3_clear_bindings(stmt_.get());
    }

    std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_.get(), col); }
    std::string text(int col) const;
    std::optional<std::string> opt_text(int col) const;
    std::optional<std::int64_t> opt_int64(int col) const;
    bool is_null(int col) const { return sqlite3_column_type(stmt_.get(), col) == SQLITE_NULL; }

private:
    sqlite3* db_;
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> stmt_;
};

class Database {
public:
    static Result<Database> open(const std::filesystem::path& file);
    sqlite3* handle() const { return db_.get(); }
    void exec(std::string_view sql);
    Statement prepare(std::string_view sql) { return Statement(db_.get(), sql); }
    std::int64_t last_insert_id() const { return sqlite3_last_insert_rowid(db_.get()); }
    int changes() const { return sqlite3_changes(db_.get()); }

private:
    explicit Database(sqlite3* db) : db_(db, &sqlite3_close_v2) {}
    std::unique_ptr<sqlite3, decltype(&sqlite3_close_v2)> db_;
};

// BEGIN IMMEDIATE .. COMMIT, rolled back if not committed (exception or early return).
class Transaction {
public:
    explicit Transaction(Database& db);
    ~Transaction();
    void commit();

private:
    Database& db_;
    bool done_ = false;
};

}  // namespace dockd::custody
