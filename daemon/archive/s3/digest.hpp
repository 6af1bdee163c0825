// MD5 (Content-MD5, RFC 1864) and SHA-256 (x-amz-content-sha256) of a file
// range in one read through a caller's fixed buffer: memory does not grow
// with the part or file size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/common/result.hpp"
#include "daemon/crypto/sha256.hpp"

namespace dockd::archive::s3 {

struct RangeDigest {
    std::string md5_base64, md5_hex, sha256_hex;
};

// Also feeds the bytes to whole (the object's running SHA-256) when given.
Result<RangeDigest> digest_range(int fd, std::uint64_t offset, std::uint64_t length, std::vector<char>& buffer,
                                 crypto::Sha256* whole);
RangeDigest digest_bytes(std::string_view data);

}  // namespace dockd::archive::s3
