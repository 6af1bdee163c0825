// libFuzzer target: audit segments, manifests, amendments and object names as
// dockd-verify reads them from an archive it does not trust.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "daemon/verify/documents.hpp"

namespace verify = dockd::verify;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const auto segment = verify::parse_segment(bytes);
    if (!segment.rows.empty()) {
        const auto first = segment.rows.front().seq, last = segment.rows.back().seq;
        (void)verify::check_rows(segment.rows, first, last, std::nullopt);
        (void)verify::check_rows(segment.rows, last, first, segment.rows.front().hash);
        for (const auto& row : segment.rows) (void)verify::fact_of(row);
    }
    (void)verify::parse_manifest(bytes);
    (void)verify::parse_amendment(bytes);
    const auto name = verify::classify(bytes);
    if (name.layout == verify::Layout::segment && name.first_seq > name.last_seq) std::abort();
    return 0;
}
