// ZFY_INFO, the identity block vendor libraries return (GetZFYInfo): device
// serial, officer number and name, unit number and name, GBK text. Two
// layouts are seen in the field and chosen in config (DESIGN §6):
//   packed89  7/6/32/12/32 bytes, no terminators (a full field has none)
//   nul94     8/7/33/13/33 bytes, each NUL-terminated
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "daemon/common/result.hpp"

namespace dockd::drivers::sdk {

// The driver's own name for the layout; the station maps drivers[].zfy_layout to it.
enum class ZfyLayout { packed89, nul94 };
const char* to_string(ZfyLayout layout);

struct ZfyInfo {
    std::string serial, officer_no, officer_name, unit_no, unit_name;  // UTF-8
};

std::size_t zfy_size(ZfyLayout layout);
// Garbage (a missing terminator, bytes that are not GBK, control characters,
// an empty serial) is an error naming the field.
Result<ZfyInfo> decode_zfy(std::string_view bytes, ZfyLayout layout);
Result<std::string> gbk_to_utf8(std::string_view gbk);
Result<std::string> utf8_to_gbk(std::string_view utf8);
// The block WriteZFYInfo takes, in the configured layout; a field that does
// not fit its width in GBK is an error naming it (never cut mid-character).
Result<std::string> encode_zfy(const ZfyInfo& info, ZfyLayout layout);

}  // namespace dockd::drivers::sdk
