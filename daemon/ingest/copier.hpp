// One pass over the device per byte: read, hash and write in the same loop,
// with one caller-owned buffer whatever the file size.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "daemon/common/time.hpp"
#include "daemon/staging/staging.hpp"
#include "drivers/recorder.hpp"

namespace dockd::ingest {

struct CopyResult {
    std::string sha256;
    std::uint64_t bytes = 0;
};

// Called after each buffer with the bytes done so far.
using Progress = std::function<void(std::uint64_t bytes_done)>;

// expected_bytes (the listed size) above half the buffer: the device is read
// ahead on a second thread into the other half of the buffer.
Result<CopyResult> copy_and_hash(drivers::MediaReader& in, staging::StagingWriter& out, std::span<std::byte> buffer,
                                 const std::atomic<bool>& cancelled, const Progress& progress,
                                 std::uint64_t expected_bytes = 0);
Result<CopyResult> hash_only(drivers::MediaReader& in, std::span<std::byte> buffer, const std::atomic<bool>& cancelled,
                             const Progress& progress, std::uint64_t expected_bytes = 0);

// Where a staged file goes under a target's prefix. Content-addressed in part,
// so identical bytes re-offered land on the same key and different bytes never
// share one: media/<serial>/<yyyy>/<mm>/<dd>/<sha256[0:16]>-<basename>. filed_at
// is a plausible recording time (the caller chooses, years 2000..2099). Every
// component fits 255 bytes: a longer basename is cut, keeping its extension.
std::string object_key(const std::string& serial, MillisTime filed_at, const std::string& sha256,
                       const std::string& device_path);
// The last component alone: "<sha256[0:16]>-<basename>", at most 255 bytes.
std::string object_name(const std::string& sha256, const std::string& device_path);

}  // namespace dockd::ingest
