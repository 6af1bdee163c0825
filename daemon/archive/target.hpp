// The archive seam (DESIGN §7): file:// and s3://. A target either ends up
// holding exactly the offered bytes under the key, confirmed by size and
// SHA-256, or reports why not. It never overwrites different bytes. It can
// also be read back, streamed, by dockd-verify and by the copy-back of
// long_term files (DESIGN §11).
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/common/result.hpp"
#include "daemon/config/config.hpp"

namespace dockd::archive {

// Multipart progress that must outlive the process (DESIGN §7: resumable
// across restarts). The uploader backs it with the custody store; a target
// commits each part here as soon as the store has acknowledged it.
struct PartRecord {
    int number = 0;
    std::uint64_t size_bytes = 0;
    std::string etag, md5_base64;
};

class UploadJournal {
public:
    virtual ~UploadJournal() = default;
    virtual std::optional<std::string> upload_id() = 0;
    virtual std::vector<PartRecord> parts() = 0;
    virtual void begin(const std::string& upload_id) = 0;  // forgets parts of any older upload
    virtual void part_done(const PartRecord& part) = 0;
    virtual void finish() = 0;  // completed or aborted: nothing left to resume
};

struct ObjectInfo {
    std::string sha256;  // hex
    std::uint64_t size_bytes = 0;
    UploadJournal* journal = nullptr;  // none: a multipart upload restarts from zero
    // Custody facts that travel with the object where the target keeps
    // metadata (S3: x-amz-meta-<name>); names lower-case ASCII, values
    // percent-encoded UTF-8. A file:// target has none: its manifest carries them.
    std::vector<std::pair<std::string, std::string>> metadata{};
    // RFC 3339 end of retention (seed R7); an object_lock target locks the object until then.
    std::optional<std::string> retain_until{};
};

// Why a put failed: the one taxonomy of daemon/common/failure.hpp, set on
// the Error by the target that read the store's answer. The uploader acts on
// it (retry with backoff, or stop the target and alert). permanent: retrying
// the same request cannot succeed (a name the target cannot hold, no
// permission, a 4xx refusal other than throttling); the file is alerted and
// retried only at retry.max, in case a person fixes the cause.
using dockd::Failure;
// The error's own class; else a target's file system refusing the name or
// the access is permanent; anything else may pass: transient.
inline Failure failure_of(const Error& e) {
    if (e.failure != Failure::unclassified) return e.failure;
    switch (e.sys_errno) {
        case ENAMETOOLONG:
        case ENOTDIR:
        case EACCES:
        case EPERM:
        case EROFS:
            return Failure::permanent;
        default:
            return Failure::transient;
    }
}

// What a listing or a HEAD shows of one stored object. `version` changes
// whenever the bytes may have (S3: the ETag; file: mtime, ctime and inode),
// so a verifier can skip re-reading what it already hashed.
struct ObjectStat {
    std::string key;  // relative to the target's prefix
    std::uint64_t size_bytes = 0;
    std::string version;
};
// Receives an object's bytes in order; an error stops the read.
using ChunkSink = std::function<Result<void>(std::string_view chunk)>;
using ObjectVisitor = std::function<Result<void>(const ObjectStat& object)>;

class Target {
public:
    virtual ~Target() = default;
    virtual const std::string& url() const = 0;
    virtual Result<void> put_file(const std::string& key, const std::filesystem::path& source, const ObjectInfo& info,
                                  const std::atomic<bool>& cancelled) = 0;
    virtual Result<void> put_bytes(const std::string& key, std::string_view content) = 0;
    // At start-up, before any put: clear what an interrupted run left behind.
    virtual Result<void> recover() = 0;
    // nullopt when the object does not exist.
    virtual Result<std::optional<ObjectStat>> stat(const std::string& key) = 0;
    // Streams the object through a fixed buffer (memory does not grow with it).
    virtual Result<void> read(const std::string& key, const ChunkSink& sink, const std::atomic<bool>& cancelled) = 0;
    // Every object whose key starts with prefix, in no particular order.
    virtual Result<void> list(const std::string& prefix, const ObjectVisitor& each) = 0;
    // Moves an existing object's Object Lock to retain_until (RFC 3339) when
    // its class changes after upload (seed R7). A target that locks nothing
    // has nothing to move: the signed amendment carries the date.
    virtual Result<void> extend_retention(const std::string& key, const std::string& retain_until) {
        (void)key, (void)retain_until;
        return {};
    }
};

class Throttle;

// What every target of one station shares: multipart sizing and the one
// bandwidth cap for all uploads (upload.part_size, upload.bandwidth_limit).
struct TargetOptions {
    std::uint64_t part_size_bytes = 64ull << 20;
    std::shared_ptr<Throttle> throttle;  // none: unlimited
};
TargetOptions target_options(const config::UploadConfig& upload);

// station_id keeps this station's temporary state apart on a shared target.
Result<std::unique_ptr<Target>> make_target(const config::TargetConfig& cfg, const std::string& station_id,
                                            const TargetOptions& options = {});

}  // namespace dockd::archive
