// libFuzzer target: ZFY_INFO blocks from a vendor library (GBK text in fixed
// fields, both layouts). A block that decodes must encode back to a block
// that decodes to the same identity.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "drivers/sdk/zfy_info.hpp"

namespace sdk = dockd::drivers::sdk;

namespace {
bool same(const sdk::ZfyInfo& a, const sdk::ZfyInfo& b) {
    return a.serial == b.serial && a.officer_no == b.officer_no && a.officer_name == b.officer_name &&
           a.unit_no == b.unit_no && a.unit_name == b.unit_name;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const auto layout = data[0] & 1 ? dockd::drivers::sdk::ZfyLayout::nul94 : dockd::drivers::sdk::ZfyLayout::packed89;
    const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
    const auto info = sdk::decode_zfy(bytes, layout);
    if (!info) return 0;
    const auto block = sdk::encode_zfy(*info, layout);
    if (!block || block->size() != sdk::zfy_size(layout)) std::abort();
    const auto again = sdk::decode_zfy(*block, layout);
    if (!again || !same(*info, *again)) std::abort();
    return 0;
}
