// dockd-verify's working memory, in SQLite so it stays bounded however big
// the archive: this run's listings, findings and expectations, and (kept
// in --cache between runs) what every document said and every object
// hashed to, keyed by the version the listing showed. A second run reads
// only objects whose version changed or that are new.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "daemon/common/result.hpp"
#include "daemon/custody/sqlite.hpp"
#include "daemon/verify/findings.hpp"

namespace dockd::verify {

struct Counts {
    std::uint64_t listed = 0;   // objects the targets listed
    std::uint64_t checked = 0;  // documents and objects checked
    std::uint64_t read = 0;     // object bodies read (GETs), signatures included
    std::uint64_t bytes_read = 0;
    std::uint64_t cached = 0;  // checked from the cache without reading
};

class State {
public:
    // file empty: a temporary database removed when the run ends.
    static Result<State> open(const std::filesystem::path& file);
    State(State&&) noexcept = default;
    ~State();
    custody::Database& db() { return db_; }
    void add(const Finding& f);
    std::int64_t finding_count();

private:
    State(custody::Database db, std::filesystem::path temp) : db_(std::move(db)), temp_(std::move(temp)) {}
    custody::Database db_;
    std::filesystem::path temp_;
};

}  // namespace dockd::verify
