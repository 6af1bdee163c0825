// Reading an S3 archive back (dockd-verify, copy-back): HEAD, GET streamed
// through the client's fixed buffer, ListObjectsV2 page by page with its
// continuation token, all signed and TLS-verified like the writes.
#include <charconv>

#include "daemon/archive/s3/call.hpp"
#include "daemon/archive/s3/s3_target.hpp"

namespace dockd::archive::s3 {
namespace {
const std::atomic<bool> never_cancelled{false};
}  // namespace

Result<std::optional<ObjectStat>> S3Target::stat(const std::string& key) {
    return with_connection([&](HttpClient& http) -> Result<std::optional<ObjectStat>> {
        Call c{"HEAD", object_key(key), {}, {}, nullptr};
        auto r = call(http, c, never_cancelled);
        if (!r) return r.error();
        if (r->status == 404) return std::optional<ObjectStat>();
        if (r->status != 200) return failure("HEAD " + key, *r);
        const std::string length = r->header("content-length");
        std::uint64_t size = 0;
        if (std::from_chars(length.data(), length.data() + length.size(), size).ec != std::errc{})
            return Error{url_ + ": HEAD " + key + ": no Content-Length"};
        return std::optional<ObjectStat>(ObjectStat{key, size, unquote(r->header("etag"))});
    });
}

Result<void> S3Target::read(const std::string& key, const ChunkSink& sink, const std::atomic<bool>& cancelled) {
    return with_connection([&](HttpClient& http) -> Result<void> {
        Call c{"GET", object_key(key), {}, {}, nullptr};
        auto r = call(http, c, cancelled, &sink);
        if (!r) return r.error();
        if (r->status == 200) return {};
        if (r->status == 404) return Error{url_ + ": " + key + ": no such object", ENOENT};
        return failure("GET " + key, *r);
    });
}

Result<void> S3Target::list(const std::string& prefix, const ObjectVisitor& each) {
    const std::string base = prefix_.empty() ? std::string() : prefix_ + "/";
    return with_connection([&](HttpClient& http) -> Result<void> {
        std::string token;
        for (;;) {
            Call c{"GET", "", {{"list-type", "2"}, {"prefix", base + prefix}}, {}, nullptr};
            if (!token.empty()) c.query["continuation-token"] = token;
            auto r = call(http, c, never_cancelled);
            if (!r) return r.error();
            if (r->status != 200) return failure("ListObjectsV2 " + base + prefix, *r);
            auto page = parse_list_objects(r->body);
            if (!page) return Error{url_ + ": ListObjectsV2 " + base + prefix + ": unreadable reply"};
            for (const auto& o : page->objects) {
                if (!o.key.starts_with(base)) continue;
                if (auto v = each({o.key.substr(base.size()), o.size_bytes, o.etag}); !v) return v;
            }
            if (!page->truncated) return {};
            token = page->next_token;
        }
    });
}

}  // namespace dockd::archive::s3
