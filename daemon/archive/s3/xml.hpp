// The S3 XML documents dockd reads, parsed with Boost.PropertyTree (a real
// XML parser, never string search): error bodies, multipart results and
// object listings.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dockd::archive::s3 {

struct S3Error {
    std::string code;     // "SlowDown", "AccessDenied", ...
    std::string message;  // the store's own words
};

struct Part {
    int number = 0;
    std::uint64_t size_bytes = 0;
    std::string etag;  // without quotes
};

struct PartsPage {
    std::vector<Part> parts;
    bool truncated = false;
    int next_marker = 0;
};

struct ListedObject {
    std::string key;  // full key, prefix included
    std::uint64_t size_bytes = 0;
    std::string etag;  // without quotes
};

struct ObjectsPage {
    std::vector<ListedObject> objects;
    bool truncated = false;
    std::string next_token;  // NextContinuationToken
};

// nullopt when body is not an <Error> document (e.g. empty HEAD reply).
std::optional<S3Error> parse_error(const std::string& body);
std::optional<std::string> parse_upload_id(const std::string& body);     // InitiateMultipartUploadResult
std::optional<PartsPage> parse_list_parts(const std::string& body);      // ListPartsResult
std::string complete_body(const std::vector<Part>& parts);               // CompleteMultipartUpload
std::optional<ObjectsPage> parse_list_objects(const std::string& body);  // ListBucketResult (ListObjectsV2)
std::string unquote(std::string etag);
// GetObjectLockConfiguration: true only for <ObjectLockEnabled>Enabled</ObjectLockEnabled>.
bool object_lock_enabled(const std::string& body);
std::string retention_body(const std::string& retain_until);  // PutObjectRetention, COMPLIANCE

}  // namespace dockd::archive::s3
