// daemon/custody audit chain (DESIGN §8) and schema migrations, on real SQLite
// files: every tampering an auditor could attempt with the sqlite3 shell must
// show up in verify() at the row that was touched.
#include "daemon/custody/audit_chain.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "daemon/custody/migrations.hpp"
#include "daemon/custody/store.hpp"
#include "tests/unit/support.hpp"

namespace dockd::custody {
using test_support::evp_sha256_hex;
namespace {

namespace fs = std::filesystem;

constexpr int chain_length = 20;

struct AuditRow {
    std::int64_t seq = 0;
    std::string at, kind, payload, hash;
};

// A raw sqlite3 connection, as an auditor (or an attacker) with the shell has.
class RawDb {
public:
    explicit RawDb(const fs::path& file) { EXPECT_EQ(sqlite3_open(file.c_str(), &db_), SQLITE_OK); }
    ~RawDb() { sqlite3_close(db_); }
    RawDb(const RawDb&) = delete;
    RawDb& operator=(const RawDb&) = delete;

    void exec(const std::string& sql) {
        char* msg = nullptr;
        const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &msg);
        EXPECT_EQ(rc, SQLITE_OK) << sql << ": " << (msg ? msg : "");
        sqlite3_free(msg);
    }
    std::int64_t int_query(const std::string& sql) {
        sqlite3_stmt* st = nullptr;
        EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql;
        std::int64_t v = -1;
        if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        return v;
    }
    std::vector<AuditRow> rows() {
        sqlite3_stmt* st = nullptr;
        EXPECT_EQ(
            sqlite3_prepare_v2(db_, "SELECT seq, at, kind, payload, hash FROM audit ORDER BY seq", -1, &st, nullptr),
            SQLITE_OK);
        std::vector<AuditRow> out;
        while (sqlite3_step(st) == SQLITE_ROW) {
            auto text = [&](int c) { return std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, c))); };
            out.push_back({sqlite3_column_int64(st, 0), text(1), text(2), text(3), text(4)});
        }
        sqlite3_finalize(st);
        return out;
    }
    // Sets one text column of one audit row, bound as text (no quoting games).
    void set_column(const std::string& column, std::int64_t seq, const std::string& value) {
        const std::string sql = "UPDATE audit SET " + column + "=? WHERE seq=?";
        sqlite3_stmt* st = nullptr;
        ASSERT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr), SQLITE_OK);
        sqlite3_bind_text(st, 1, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, seq);
        EXPECT_EQ(sqlite3_step(st), SQLITE_DONE);
        sqlite3_finalize(st);
        EXPECT_EQ(sqlite3_changes(db_), 1);
    }

private:
    sqlite3* db_ = nullptr;
};

class AuditChainTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = tmp_.path();
        db_file_ = dir_ / "custody.db";
    }

    std::unique_ptr<Store> open_store() {
        auto s = Store::open(db_file_);
        EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
        return s.ok() ? std::move(*s) : nullptr;
    }
    // Writes chain_length events through the store, then closes it.
    void write_chain() {
        auto store = open_store();
        ASSERT_NE(store, nullptr);
        for (int i = 1; i <= chain_length; ++i)
            store->append_event(i % 2 ? "docked" : "file_staged", {{"i", i}, {"note", "event " + std::to_string(i)}});
    }
    // Verdict of a freshly opened store over the current file contents.
    AuditVerdict verify_file() {
        auto store = open_store();
        return store ? store->verify() : AuditVerdict{false, 0, {}, std::nullopt, "store did not open"};
    }

    test_support::TempDir tmp_{"audit"};
    fs::path dir_, db_file_;
};

std::string flip_byte(std::string s, std::size_t at) {
    s[at] = static_cast<char>(s[at] ^ 0x01);
    return s;
}

TEST_F(AuditChainTest, EmptyChainVerifiesWithGenesisHead) {
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    const AuditVerdict v = store->verify();
    EXPECT_TRUE(v.ok) << v.problem;
    EXPECT_EQ(v.length, 0);
    EXPECT_EQ(v.head.seq, 0);
    EXPECT_EQ(v.head.hash, std::string(64, '0'));
    EXPECT_EQ(store->head().seq, 0);
    EXPECT_EQ(store->head().hash, std::string(64, '0'));
}

TEST_F(AuditChainTest, ChainHashMatchesDesignFormulaComputedWithEvp) {
    const std::string genesis(64, '0');
    const std::string payload = R"({"kind":"docked","at":"2026-11-23T18:02:11.000Z"})";
    EXPECT_EQ(chain_hash(genesis, payload), evp_sha256_hex(genesis + "\n" + payload));
    // Known answer, from `printf '%s\n%s' 000…0 PAYLOAD | sha256sum`.
    EXPECT_EQ(chain_hash(genesis, payload), "fe3fdfff4cded263e81962abe3918a722022319333412ed247f5132f66abb3a1");
}

TEST_F(AuditChainTest, StoredHashesFollowDesignFormulaRowByRow) {
    write_chain();
    RawDb raw(db_file_);
    const auto rows = raw.rows();
    ASSERT_EQ(rows.size(), static_cast<std::size_t>(chain_length));
    std::string prev(64, '0');
    for (std::size_t i = 0; i < rows.size(); ++i) {
        EXPECT_EQ(rows[i].seq, static_cast<std::int64_t>(i + 1));
        EXPECT_EQ(rows[i].hash, evp_sha256_hex(prev + "\n" + rows[i].payload)) << "row " << rows[i].seq;
        prev = rows[i].hash;
    }
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->head().seq, chain_length);
    EXPECT_EQ(store->head().hash, prev);
}

TEST_F(AuditChainTest, ChainOfTwentyEventsVerifiesAndReportsHead) {
    write_chain();
    const AuditVerdict v = verify_file();
    EXPECT_TRUE(v.ok) << v.problem;
    EXPECT_EQ(v.length, chain_length);
    EXPECT_EQ(v.head.seq, chain_length);
    EXPECT_FALSE(v.first_bad_seq.has_value());
    RawDb raw(db_file_);
    EXPECT_EQ(v.head.hash, raw.rows().back().hash);
}

TEST_F(AuditChainTest, PayloadCarriesKindAndTimeSoTheHashCoversThem) {
    write_chain();
    RawDb raw(db_file_);
    for (const auto& row : raw.rows()) {
        const auto doc = boost::json::parse(row.payload).as_object();
        ASSERT_TRUE(doc.contains("kind")) << row.payload;
        ASSERT_TRUE(doc.contains("at")) << row.payload;
        EXPECT_EQ(doc.at("kind").as_string(), row.kind);
        EXPECT_EQ(doc.at("at").as_string(), row.at);
        EXPECT_EQ(doc.at("i").as_int64(), row.seq);
    }
}

TEST_F(AuditChainTest, OneFlippedByteInAnyPayloadOrHashIsDetectedAtThatRow) {
    write_chain();
    std::vector<AuditRow> original;
    {
        RawDb raw(db_file_);
        original = raw.rows();
    }
    ASSERT_EQ(original.size(), static_cast<std::size_t>(chain_length));
    for (const auto& row : original) {
        for (const std::string column : {"payload", "hash"}) {
            SCOPED_TRACE(column + " of row " + std::to_string(row.seq));
            const std::string& value = column == "payload" ? row.payload : row.hash;
            {
                RawDb raw(db_file_);
                raw.set_column(column, row.seq, flip_byte(value, value.size() / 2));
            }
            const AuditVerdict v = verify_file();
            EXPECT_FALSE(v.ok);
            EXPECT_EQ(v.first_bad_seq, std::optional<std::int64_t>(row.seq));
            EXPECT_FALSE(v.problem.empty());
            {
                RawDb raw(db_file_);
                raw.set_column(column, row.seq, value);
            }
            ASSERT_TRUE(verify_file().ok) << "restoring row " << row.seq << " should heal the chain";
        }
    }
}

// The store reads the chain in batches (its lock is never held while
// hashing): every batch size gives the same verdict, a tampered or missing
// row on either side of a batch boundary included.
TEST_F(AuditChainTest, BatchedVerificationGivesTheSameVerdictAtEveryBatchSize) {
    write_chain();
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    const AuditVerdict whole = store->verify();
    ASSERT_TRUE(whole.ok) << whole.problem;
    for (std::int64_t batch : {1, 2, 3, 7, 19, 20, 21}) {
        const AuditVerdict v = store->verify(batch);
        EXPECT_TRUE(v.ok) << "batch " << batch << ": " << v.problem;
        EXPECT_EQ(v.length, chain_length) << "batch " << batch;
        EXPECT_EQ(v.head.hash, whole.head.hash) << "batch " << batch;
    }
    store.reset();
    {
        RawDb raw(db_file_);
        raw.exec("DELETE FROM audit WHERE seq=8");  // the first row of batch 2 when batch = 7
        raw.set_column("payload", 15, flip_byte(raw.rows()[13].payload, 3));
    }
    store = open_store();
    ASSERT_NE(store, nullptr);
    for (std::int64_t batch : {1, 3, 7, 100}) {
        const AuditVerdict v = store->verify(batch);
        EXPECT_FALSE(v.ok) << "batch " << batch;
        EXPECT_EQ(v.first_bad_seq, std::optional<std::int64_t>(8)) << "batch " << batch;
        EXPECT_EQ(v.length, 7) << "batch " << batch;
    }
}

TEST_F(AuditChainTest, DeletedMiddleRowIsDetected) {
    write_chain();
    {
        RawDb raw(db_file_);
        raw.exec("DELETE FROM audit WHERE seq=10");
    }
    const AuditVerdict v = verify_file();
    EXPECT_FALSE(v.ok);
    EXPECT_EQ(v.first_bad_seq, std::optional<std::int64_t>(10));
    EXPECT_NE(v.problem.find("10"), std::string::npos) << v.problem;
    EXPECT_EQ(v.length, 9);
}

TEST_F(AuditChainTest, SwappedPayloadsOfTwoRowsAreDetected) {
    write_chain();
    {
        RawDb raw(db_file_);
        const auto rows = raw.rows();
        raw.set_column("payload", 5, rows[11].payload);
        raw.set_column("payload", 12, rows[4].payload);
    }
    const AuditVerdict v = verify_file();
    EXPECT_FALSE(v.ok);
    EXPECT_EQ(v.first_bad_seq, std::optional<std::int64_t>(5));
}

TEST_F(AuditChainTest, SwappedWholeRowsWithTheirHashesAreDetected) {
    write_chain();
    {
        RawDb raw(db_file_);
        const auto rows = raw.rows();
        for (auto [a, b] : {std::pair{7, 8}, std::pair{8, 7}}) {
            raw.set_column("payload", a, rows[static_cast<std::size_t>(b - 1)].payload);
            raw.set_column("hash", a, rows[static_cast<std::size_t>(b - 1)].hash);
        }
    }
    const AuditVerdict v = verify_file();
    EXPECT_FALSE(v.ok);
    EXPECT_EQ(v.first_bad_seq, std::optional<std::int64_t>(7));
}

TEST_F(AuditChainTest, MigrationFromEmptyFileReachesLatestSchema) {
    ASSERT_GE(latest_schema_version(), 1);
    {
        auto store = open_store();
        ASSERT_NE(store, nullptr);
        store->append_event("config_loaded", {{"file", "dockd.yaml"}});
    }
    RawDb raw(db_file_);
    EXPECT_EQ(raw.int_query("PRAGMA user_version"), latest_schema_version());
    EXPECT_EQ(raw.int_query("SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name='audit'"), 1);
    EXPECT_EQ(raw.int_query("SELECT COUNT(*) FROM sqlite_master WHERE name='files_identity'"), 1);
}

TEST_F(AuditChainTest, ReopeningMigratedStoreKeepsSchemaAndData) {
    {
        auto store = open_store();
        ASSERT_NE(store, nullptr);
        store->append_event("config_loaded", {{"file", "dockd.yaml"}});
    }
    for (int i = 0; i < 3; ++i) {
        auto store = open_store();
        ASSERT_NE(store, nullptr);
        const AuditVerdict v = store->verify();
        EXPECT_TRUE(v.ok) << v.problem;
        EXPECT_EQ(v.length, 1);
    }
    RawDb raw(db_file_);
    EXPECT_EQ(raw.int_query("PRAGMA user_version"), latest_schema_version());
    EXPECT_EQ(raw.int_query("SELECT COUNT(*) FROM audit"), 1);
}

TEST_F(AuditChainTest, StoreFromNewerDockdIsRefusedAndLeftUntouched) {
    const int newer = latest_schema_version() + 1;
    {
        RawDb raw(db_file_);
        raw.exec("CREATE TABLE future(x); PRAGMA user_version=" + std::to_string(newer));
    }
    auto store = Store::open(db_file_);
    ASSERT_FALSE(store.ok());
    EXPECT_NE(store.error().message.find("newer"), std::string::npos) << store.error().message;
    EXPECT_NE(store.error().message.find(db_file_.string()), std::string::npos) << store.error().message;
    RawDb raw(db_file_);
    EXPECT_EQ(raw.int_query("PRAGMA user_version"), newer);
    EXPECT_EQ(raw.int_query("SELECT COUNT(*) FROM sqlite_master WHERE name='audit'"), 0);
}

}  // namespace
}  // namespace dockd::custody
