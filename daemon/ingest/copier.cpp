#include "daemon/ingest/copier.hpp"

#include <cstdio>

#include "daemon/common/utf8.hpp"
#include "daemon/crypto/sha256.hpp"
#include "daemon/ingest/read_ahead.hpp"

namespace dockd::ingest {
namespace {

// One loop over chunks from `next`: hash, write, count.
template <class Next>
Result<CopyResult> pump(Next&& next, staging::StagingWriter* out, const std::atomic<bool>& cancelled,
                        const Progress& progress) {
    crypto::Sha256 hash;
    CopyResult result;
    for (;;) {
        if (cancelled.load()) return Error{"cancelled"};
        Result<std::span<const std::byte>> chunk = next();
        if (!chunk)
            return Error{"read at " + std::to_string(result.bytes) + ": " + chunk.error().message,
                         chunk.error().sys_errno};
        if (chunk->empty()) break;
        hash.update(*chunk);
        if (out)
            if (auto w = out->write(*chunk); !w) return w.error();
        result.bytes += chunk->size();
        if (progress) progress(result.bytes);
    }
    result.sha256 = hash.hex_digest();
    return result;
}

// A file larger than half the buffer is read ahead on a second thread; a
// small one is read in place (a thread per small file would cost more than
// the overlap gains).
Result<CopyResult> pump(drivers::MediaReader& in, staging::StagingWriter* out, std::span<std::byte> buffer,
                        const std::atomic<bool>& cancelled, const Progress& progress, std::uint64_t expected_bytes) {
    if (expected_bytes > buffer.size() / 2) {
        ReadAhead ahead(in, buffer, cancelled);
        return pump([&] { return ahead.next(); }, out, cancelled, progress);
    }
    return pump(
        [&]() -> Result<std::span<const std::byte>> {
            auto n = in.read(buffer);
            if (!n) return n.error();
            return std::span<const std::byte>(buffer.first(*n));
        },
        out, cancelled, progress);
}

}  // namespace

Result<CopyResult> copy_and_hash(drivers::MediaReader& in, staging::StagingWriter& out, std::span<std::byte> buffer,
                                 const std::atomic<bool>& cancelled, const Progress& progress,
                                 std::uint64_t expected_bytes) {
    return pump(in, &out, buffer, cancelled, progress, expected_bytes);
}

Result<CopyResult> hash_only(drivers::MediaReader& in, std::span<std::byte> buffer, const std::atomic<bool>& cancelled,
                             const Progress& progress, std::uint64_t expected_bytes) {
    return pump(in, nullptr, buffer, cancelled, progress, expected_bytes);
}

namespace {

// The longest name one path component may have on any target: NAME_MAX on
// Linux file systems, and S3 keys stay far below their 1024 bytes with it.
constexpr std::size_t max_component_bytes = 255;
// An extension longer than this is part of the name, not a type.
constexpr std::size_t max_extension_bytes = 16;

}  // namespace

std::string object_name(const std::string& sha256, const std::string& device_path) {
    const auto slash = device_path.rfind('/');
    const std::string base = slash == std::string::npos ? device_path : device_path.substr(slash + 1);
    const std::string prefix = sha256.substr(0, 16) + "-";
    if (prefix.size() + base.size() <= max_component_bytes) return prefix + base;
    // A long name keeps its start and its extension; the full device path
    // travels in the manifest and the object metadata.
    const auto dot = base.rfind('.');
    const bool has_ext = dot != std::string::npos && dot > 0 && base.size() - dot <= max_extension_bytes;
    const std::string ext = has_ext ? base.substr(dot) : "";
    const std::string stem = has_ext ? base.substr(0, dot) : base;
    return prefix + utf8_prefix(stem, max_component_bytes - prefix.size() - ext.size()) + ext;
}

std::string object_key(const std::string& serial, MillisTime filed_at, const std::string& sha256,
                       const std::string& device_path) {
    const auto day = std::chrono::floor<std::chrono::days>(filed_at);
    const std::chrono::year_month_day ymd{day};
    char date[16];
    std::snprintf(date, sizeof date, "%04d/%02u/%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()));
    return "media/" + serial + "/" + date + "/" + object_name(sha256, device_path);
}

}  // namespace dockd::ingest
