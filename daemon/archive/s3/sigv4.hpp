// AWS Signature Version 4, header form, for S3 (AWS docs: "Signature
// Calculations for the Authorization Header"). The payload hash is always the
// real SHA-256 of the body, never UNSIGNED-PAYLOAD: the store then proves it
// received exactly the bytes we hashed.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "daemon/common/time.hpp"

namespace dockd::archive::s3 {

struct Credentials {
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token;  // optional (x-amz-security-token)
};

struct SignedRequest {
    std::string method;                          // "PUT"
    std::string canonical_uri;                   // already URI-encoded path: "/bucket/media/a.mp4"
    std::map<std::string, std::string> query;    // raw (unencoded) names and values
    std::map<std::string, std::string> headers;  // lower-case names; host must be present
    std::string payload_sha256_hex;
};

// Percent-encodes per SigV4: unreserved A-Z a-z 0-9 - . _ ~ kept; '/' kept
// when keep_slash (object key in a path).
std::string uri_encode(std::string_view s, bool keep_slash);

// "a=1&b=2" with names and values encoded and sorted: the canonical query.
std::string canonical_query(const std::map<std::string, std::string>& query);

// Adds x-amz-date and x-amz-content-sha256 to req.headers and returns the
// Authorization header value.
std::string sign(SignedRequest& req, const Credentials& creds, const std::string& region, SystemTime at);

// Exposed for the test vectors.
std::string canonical_request(const SignedRequest& req);
std::string amz_date(SystemTime at);  // 20130524T000000Z

}  // namespace dockd::archive::s3
