// An S3-compatible object store as archive (AWS, Ceph RGW, MinIO, Swift
// s3api). Objects above part_size go multipart with every finished part
// committed to the caller's UploadJournal, so a restart resumes where it
// stopped (reconciled with ListParts). Write-once: a HEAD before creating
// (plus If-None-Match: * where the store implements it) refuses to replace
// different bytes; nothing counts as archived until a HEAD shows the size and
// the x-amz-meta-sha256 we sent. Read back with GET (streamed), HEAD and
// ListObjectsV2 (s3_read.cpp) for dockd-verify.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "daemon/archive/s3/http_client.hpp"
#include "daemon/archive/s3/sigv4.hpp"
#include "daemon/archive/s3/xml.hpp"
#include "daemon/archive/target.hpp"

namespace dockd::archive::s3 {

struct BodySource;
struct Call;

class S3Target final : public Target {
public:
    static Result<std::unique_ptr<Target>> create(const config::TargetConfig& cfg, const TargetOptions& options);

    const std::string& url() const override { return url_; }
    Result<void> put_file(const std::string& key, const std::filesystem::path& source, const ObjectInfo& info,
                          const std::atomic<bool>& cancelled) override;
    Result<void> put_bytes(const std::string& key, std::string_view content) override;
    Result<void> recover() override { return {}; }  // a store keeps no temp state of ours outside the journal
    Result<std::optional<ObjectStat>> stat(const std::string& key) override;
    Result<void> read(const std::string& key, const ChunkSink& sink, const std::atomic<bool>& cancelled) override;
    Result<void> list(const std::string& prefix, const ObjectVisitor& each) override;
    Result<void> extend_retention(const std::string& key, const std::string& retain_until) override;

private:
    S3Target(const config::TargetConfig& cfg, Endpoint ep, Credentials creds, const TargetOptions& options);

    // A pooled keep-alive connection per concurrent caller.
    std::unique_ptr<HttpClient> lease();
    void give_back(std::unique_ptr<HttpClient> c);

    std::string object_key(const std::string& key) const;
    Result<HttpResponse> call(HttpClient& http, Call& c, const std::atomic<bool>& cancelled,
                              const BodySink* sink = nullptr);
    // Runs fn on a pooled connection and gives the connection back.
    template <class Fn>
    auto with_connection(Fn&& fn) {
        auto http = lease();
        auto result = fn(*http);
        give_back(std::move(http));
        return result;
    }
    Error failure(const std::string& what, const HttpResponse& r) const;

    // 200 and same bytes: already there; 404: free; otherwise refuse.
    Result<bool> present(HttpClient& http, const std::string& key, const ObjectInfo& info,
                         const std::atomic<bool>& cancelled);
    Result<void> verify(HttpClient& http, const std::string& key, const ObjectInfo& info,
                        const std::atomic<bool>& cancelled);
    Result<void> put_single(HttpClient& http, const std::string& key, const ObjectInfo& info, const BodySource& body,
                            const std::atomic<bool>& cancelled);
    Result<void> put_multipart(HttpClient& http, const std::string& key, const ObjectInfo& info, int fd,
                               const std::atomic<bool>& cancelled);
    // nullopt: the store no longer knows the upload (NoSuchUpload).
    Result<std::optional<std::vector<Part>>> list_parts(HttpClient& http, const std::string& key,
                                                        const std::string& upload_id,
                                                        const std::atomic<bool>& cancelled);
    Result<void> abort(HttpClient& http, const std::string& key, const std::string& upload_id,
                       const std::atomic<bool>& cancelled);
    // Before anything is sent locked: the bucket must say it enforces Object Lock (s3_lock.cpp).
    Result<void> check_object_lock(HttpClient& http, const std::atomic<bool>& cancelled);

    std::string url_, bucket_, prefix_, region_;
    bool path_style_;
    bool object_lock_;
    Endpoint ep_;
    std::string host_header_;
    Credentials creds_;
    TargetOptions options_;
    std::atomic<bool> conditional_put_{true};  // cleared when the store answers 501 (Swift)
    std::atomic<bool> lock_confirmed_{false};  // the bucket answered ObjectLockEnabled
    std::atomic<std::int64_t> skew_ms_{0};     // store clock - ours, learnt from RequestTimeTooSkewed
    std::mutex pool_mutex_;
    std::vector<std::unique_ptr<HttpClient>> idle_;
};

}  // namespace dockd::archive::s3
