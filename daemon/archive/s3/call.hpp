// One S3 request as S3Target builds it before signing (s3_target.cpp,
// s3_read.cpp): the object, its query and headers, and the body to send.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "daemon/archive/s3/digest.hpp"

namespace dockd::archive::s3 {

struct BodySource {
    std::string_view memory;
    int fd = -1;
    std::uint64_t offset = 0, length = 0;
    RangeDigest digest;
};

struct Call {
    std::string method;
    std::string key;  // full object key (prefix included)
    std::map<std::string, std::string> query;
    std::map<std::string, std::string> headers;  // lower-case names, all signed
    const BodySource* body = nullptr;
    bool idempotent = true;
};

}  // namespace dockd::archive::s3
