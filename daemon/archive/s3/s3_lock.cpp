// Object Lock (seed R7): an object_lock target asks the store to keep each
// media object unchanged and undeleted until its retain_until, and moves that
// date when a file's class changes after upload. Object Lock is only as good
// as the store that enforces it, and a store without it does worse than
// ignore the request: Swift's s3api reads PUT <key>?retention as a PUT of
// the object itself and would replace the footage with the XML. So before
// anything is sent locked the bucket must answer GetObjectLockConfiguration
// with Enabled; any other answer stops the target with a clear error.
#include "daemon/archive/s3/call.hpp"
#include "daemon/archive/s3/digest.hpp"
#include "daemon/archive/s3/s3_target.hpp"

namespace dockd::archive::s3 {

Result<void> S3Target::check_object_lock(HttpClient& http, const std::atomic<bool>& cancelled) {
    if (lock_confirmed_) return {};
    Call c{"GET", "", {{"object-lock", ""}}, {}, nullptr};
    auto r = call(http, c, cancelled);
    if (!r) return r.error();
    if (r->status == 200 && object_lock_enabled(r->body)) {
        lock_confirmed_ = true;
        return {};
    }
    if (r->status != 200 && !parse_error(r->body).value_or(S3Error{}).code.starts_with("ObjectLockConfiguration")) {
        auto e = failure("GetObjectLockConfiguration", *r);
        if (failure_of(e) != Failure::permanent) return e;  // throttled, down, credentials: as any other call
    }
    return Error{url_ + ": object_lock is set but bucket " + bucket_ +
                     " does not report Object Lock enabled (GetObjectLockConfiguration: HTTP " +
                     std::to_string(r->status) + "); nothing is sent to it until it does",
                 0, Failure::permanent};
}

Result<void> S3Target::extend_retention(const std::string& key, const std::string& retain_until) {
    if (!object_lock_) return {};
    const std::atomic<bool> never{false};
    const std::string xml = retention_body(retain_until);
    const BodySource body{xml, -1, 0, xml.size(), digest_bytes(xml)};
    return with_connection([&](HttpClient& http) -> Result<void> {
        if (auto ok = check_object_lock(http, never); !ok) return ok;
        Call c{"PUT", object_key(key), {{"retention", ""}}, {}, &body};
        auto r = call(http, c, never);
        if (!r) return r.error();
        if (r->status == 200 || r->status == 204) return {};
        // Not uploaded here yet: its upload computes retain_until from the class then.
        if (r->status == 404 && parse_error(r->body).value_or(S3Error{}).code == "NoSuchKey") return {};
        return failure("PutObjectRetention " + key + " until " + retain_until, *r);
    });
}

}  // namespace dockd::archive::s3
