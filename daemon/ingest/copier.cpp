#include "daemon/ingest/copier.hpp"

#include <ctime>

#include "daemon/crypto/sha256.hpp"

namespace dockd::ingest {
namespace {

Result<CopyResult> pump(drivers::MediaReader& in, StagingWriter* out, std::span<std::byte> buffer,
                        const std::atomic<bool>& cancelled, const Progress& progress) {
    crypto::Sha256 hash;
    CopyResult result;
    for (;;) {
        if (cancelled.load()) return Error{"cancelled"};
        auto n = in.read(buffer);
        if (!n) return Error{"read at " + std::to_string(result.bytes) + ": " + n.error().message, n.error().sys_errno};
        if (*n == 0) break;
        const auto chunk = buffer.first(*n);
        hash.update(chunk);
        if (out)
            if (auto w = out->write(chunk); !w) return w.error();
        result.bytes += *n;
        if (progress) progress(result.bytes);
    }
    result.sha256 = hash.hex_digest();
    return result;
}

}  // namespace

Result<CopyResult> copy_and_hash(drivers::MediaReader& in, StagingWriter& out, std::span<std::byte> buffer,
                                 const std::atomic<bool>& cancelled, const Progress& progress) {
    return pump(in, &out, buffer, cancelled, progress);
}

Result<CopyResult> hash_only(drivers::MediaReader& in, std::span<std::byte> buffer, const std::atomic<bool>& cancelled,
                             const Progress& progress) {
    return pump(in, nullptr, buffer, cancelled, progress);
}

std::string object_key(const std::string& serial, std::chrono::system_clock::time_point recorded_at,
                       const std::string& sha256, const std::string& device_path) {
    const std::time_t secs = std::chrono::system_clock::to_time_t(recorded_at);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char day[16];
    std::strftime(day, sizeof day, "%Y/%m/%d", &tm);
    const auto slash = device_path.rfind('/');
    const std::string base = slash == std::string::npos ? device_path : device_path.substr(slash + 1);
    return "media/" + serial + "/" + day + "/" + sha256.substr(0, 16) + "-" + base;
}

}  // namespace dockd::ingest
