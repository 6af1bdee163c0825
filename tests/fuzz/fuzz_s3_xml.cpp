// libFuzzer target: the XML replies of an S3 store (errors, multipart
// results, listings). The store is outside the station's trust.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "daemon/archive/s3/xml.hpp"

namespace s3 = dockd::archive::s3;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string body(reinterpret_cast<const char*>(data), size);
    (void)s3::parse_error(body);
    (void)s3::parse_upload_id(body);
    if (auto parts = s3::parse_list_parts(body)) {
        // What dockd would send back to complete the upload must parse as XML again.
        const auto complete = s3::complete_body(parts->parts);
        if (complete.empty()) std::abort();
    }
    if (auto page = s3::parse_list_objects(body))
        if (page->truncated && page->next_token.empty()) std::abort();  // a listing loop that never ends
    (void)s3::unquote(body);
    return 0;
}
