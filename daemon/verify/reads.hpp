// Parallel, streamed reads from one target: each worker hashes an object as
// it arrives through the target's fixed buffer and keeps the bytes only of
// documents (bounded by keep_bytes), so memory is workers x buffer.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "daemon/archive/target.hpp"
#include "daemon/custody/sqlite.hpp"

namespace dockd::verify {

struct ReadJob {
    std::string key;
    std::size_t keep_bytes = 0;   // 0: hash only; else keep the body, refusing anything longer
    bool with_signature = false;  // also read key + ".sig" (kept, at most 1 KiB)
};

struct ReadOutcome {
    Result<void> status;
    std::string sha256;
    std::uint64_t bytes = 0;
    std::string body;
    std::optional<Result<std::string>> signature;
};

ReadOutcome read_object(archive::Target& target, const ReadJob& job);

// Steps a query whose rows are handed out as jobs, each row once: a finished
// SQLite statement would start over if stepped again.
inline bool next_row(custody::Statement& st, bool& finished) {
    if (!finished && !st.step()) finished = true;
    return !finished;
}

// Runs `threads` workers until next_job has nothing more. next_job and done
// run under one mutex, so they may share the one SQLite connection.
void read_all(archive::Target& target, int threads, const std::function<std::optional<ReadJob>()>& next_job,
              const std::function<void(const ReadJob&, ReadOutcome&)>& done);

}  // namespace dockd::verify
