#include "daemon/archive/s3/s3_target.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <boost/url/parse.hpp>
#include <cstdlib>
#include <ctime>
#include <set>

#include "daemon/archive/s3/call.hpp"
#include "daemon/archive/s3/credentials.hpp"
#include "daemon/archive/s3/digest.hpp"
#include "daemon/common/fs.hpp"
#include "daemon/common/log.hpp"

namespace dockd::archive::s3 {
namespace {

constexpr std::chrono::seconds stall_timeout{15};
constexpr std::size_t read_buffer_bytes = 1 << 20;
constexpr int max_parts = 10000;  // S3 limit
const std::string empty_sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// Local memory when the caller keeps no journal: resume within this call only.
class MemoryJournal final : public UploadJournal {
public:
    std::optional<std::string> upload_id() override { return id_; }
    std::vector<PartRecord> parts() override { return parts_; }
    void begin(const std::string& id) override { id_ = id, parts_.clear(); }
    void part_done(const PartRecord& p) override { parts_.push_back(p); }
    void finish() override { id_.reset(), parts_.clear(); }

private:
    std::optional<std::string> id_;
    std::vector<PartRecord> parts_;
};

std::optional<SystemTime> parse_http_date(const std::string& text) {
    std::tm tm{};
    if (!strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm)) return std::nullopt;
    return std::chrono::system_clock::from_time_t(timegm(&tm));
}

bool iequals(const std::string& a, const std::string& b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return std::tolower(x) == std::tolower(y); });
}

// The headers that create an object: its full SHA-256 (checked by HEAD after
// completion), the custody metadata the station attaches and, on an Object
// Lock target, the retention the store must enforce (seed R7). COMPLIANCE:
// nobody, the bucket owner included, can shorten it or delete the object
// before the date. Content-MD5, which Object Lock requires, goes with every body.
std::map<std::string, std::string> object_headers(const ObjectInfo& info, bool object_lock) {
    std::map<std::string, std::string> h{{"x-amz-meta-sha256", info.sha256},
                                         {"content-type", "application/octet-stream"}};
    for (const auto& [name, value] : info.metadata) h["x-amz-meta-" + name] = value;
    if (object_lock && info.retain_until) {
        h["x-amz-object-lock-mode"] = "COMPLIANCE";
        h["x-amz-object-lock-retain-until-date"] = *info.retain_until;
    }
    return h;
}

}  // namespace

Result<std::unique_ptr<Target>> S3Target::create(const config::TargetConfig& cfg, const TargetOptions& options) {
    auto url = boost::urls::parse_uri(cfg.endpoint);
    if (!url) return Error{cfg.url + ": endpoint '" + cfg.endpoint + "' is not a URL"};
    Endpoint ep;
    ep.tls = url->scheme() != "http";
    ep.host = std::string(url->host_address());
    ep.port = url->has_port() ? std::string(url->port()) : (ep.tls ? "443" : "80");
    ep.ca_file = cfg.ca_file;
    if (!ep.tls)
        log::warning(cfg.url + ": endpoint " + cfg.endpoint + " is plain http: keys and footage travel unencrypted");
    // No file configured: the systemd credential (LoadCredential=s3.credentials:...).
    std::filesystem::path file = cfg.credentials_file;
    if (file.empty()) {
        const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
        if (!dir) return Error{cfg.url + ": no credentials_file and no systemd credential s3.credentials"};
        file = std::filesystem::path(dir) / "s3.credentials";
    }
    auto creds = load_credentials(file);
    if (!creds) return creds.error().context(cfg.url);
    return std::unique_ptr<Target>(new S3Target(cfg, std::move(ep), std::move(*creds), options));
}

S3Target::S3Target(const config::TargetConfig& cfg, Endpoint ep, Credentials creds, const TargetOptions& options)
    : url_(cfg.url),
      bucket_(cfg.bucket),
      prefix_(cfg.prefix),
      region_(cfg.region),
      path_style_(cfg.path_style),
      object_lock_(cfg.object_lock),
      ep_(std::move(ep)),
      creds_(std::move(creds)),
      options_(options) {
    if (!path_style_) ep_.host = bucket_ + "." + ep_.host;  // virtual-host addressing
    const bool default_port = ep_.port == (ep_.tls ? "443" : "80");
    host_header_ = ep_.host + (default_port ? "" : ":" + ep_.port);
}

std::unique_ptr<HttpClient> S3Target::lease() {
    std::lock_guard lock(pool_mutex_);
    if (idle_.empty()) return std::make_unique<HttpClient>(ep_, options_.throttle, stall_timeout);
    auto c = std::move(idle_.back());
    idle_.pop_back();
    return c;
}

void S3Target::give_back(std::unique_ptr<HttpClient> c) {
    std::lock_guard lock(pool_mutex_);
    idle_.push_back(std::move(c));
}

std::string S3Target::object_key(const std::string& key) const {
    return prefix_.empty() ? key : prefix_ + "/" + key;
}

Result<HttpResponse> S3Target::call(HttpClient& http, Call& c, const std::atomic<bool>& cancelled,
                                    const BodySink* sink) {
    for (int attempt = 0;; ++attempt) {
        SignedRequest sr;
        sr.method = c.method;
        sr.canonical_uri = (path_style_ ? "/" + bucket_ + "/" : std::string("/")) + uri_encode(c.key, true);
        sr.query = c.query;
        sr.headers = c.headers;
        sr.headers["host"] = host_header_;
        sr.payload_sha256_hex = c.body ? c.body->digest.sha256_hex : empty_sha256;
        if (c.body) sr.headers["content-md5"] = c.body->digest.md5_base64;
        const auto at = std::chrono::system_clock::now() + std::chrono::milliseconds(skew_ms_.load());
        const std::string auth = sign(sr, creds_, region_, at);

        HttpRequest req;
        req.method = c.method;
        req.target = sr.canonical_uri;
        if (!c.query.empty()) req.target += "?" + canonical_query(c.query);
        for (const auto& [k, v] : sr.headers) req.headers.emplace_back(k, v);
        req.headers.emplace_back("authorization", auth);
        req.idempotent = c.idempotent;
        if (c.body) {
            req.body = std::string(c.body->memory);
            req.body_fd = c.body->fd;
            req.body_offset = c.body->offset;
            req.body_length = c.body->length;
        }
        auto r = http.send(req, cancelled, sink);
        if (!r) return Error{redact(url_ + ": " + c.method + " " + c.key + ": " + r.error().message, creds_)};
        // The store refuses signatures more than 15 min off its clock: adopt
        // its time from the reply's Date and sign again, once.
        // The store refuses signatures more than 15 min off its clock: adopt
        // its time from the reply's Date and sign again, once. A HEAD reply
        // has no body to name RequestTimeTooSkewed, so a 403 whose Date is
        // minutes away from ours counts as the same.
        if (attempt == 0 && r->status == 403) {
            auto err = parse_error(r->body);
            auto date = parse_http_date(r->header("date"));
            const auto offset = date ? *date - std::chrono::system_clock::now() : std::chrono::system_clock::duration{};
            const bool skewed =
                err ? err->code == "RequestTimeTooSkewed" : std::chrono::abs(offset) > std::chrono::minutes(5);
            if (date && skewed) {
                skew_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(offset).count();
                log::warning(url_ + ": clock differs from the store's by " + std::to_string(skew_ms_.load()) +
                             " ms; re-signing");
                continue;
            }
        }
        return r;
    }
}

// A 4xx says the request itself is wrong (KeyTooLongError, InvalidArgument,
// EntityTooLarge, ...): sending it again cannot help. Throttling, timeouts
// and corruption in transit are the 4xx codes a retry can cure.
static bool refused_for_good(int status, const std::string& code) {
    static const std::set<std::string> retryable{"RequestTimeout",       "SlowDown",     "Throttling",
                                                 "OperationAborted",     "BadDigest",    "IncompleteBody",
                                                 "RequestTimeTooSkewed", "ExpiredToken", "TokenRefreshRequired"};
    if (status < 400 || status >= 500 || status == 408 || status == 409 || status == 429) return false;
    return !retryable.count(code);
}

Error S3Target::failure(const std::string& what, const HttpResponse& r) const {
    auto err = parse_error(r.body);
    const std::string code = err ? err->code : "";
    std::string text = url_ + ": " + what + ": HTTP " + std::to_string(r.status);
    if (err) text += " " + err->code + (err->message.empty() ? "" : ": " + err->message);
    Failure kind = Failure::transient;  // SlowDown, InternalError, 5xx and the unknown: back off and retry
    if (code == "AccessDenied" || code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch" ||
        (code.empty() && r.status == 403))
        kind = Failure::credentials;
    else if (code == "NoSuchBucket")
        kind = Failure::no_bucket;
    else if (refused_for_good(r.status, code))
        kind = Failure::permanent;
    return Error{redact(text, creds_), 0, kind};
}

Result<bool> S3Target::present(HttpClient& http, const std::string& key, const ObjectInfo& info,
                               const std::atomic<bool>& cancelled) {
    Call c{"HEAD", key, {}, {}, nullptr};
    auto r = call(http, c, cancelled);
    if (!r) return r.error();
    if (r->status == 404) return false;
    if (r->status != 200) return failure("HEAD " + key, *r);
    const std::string size = r->header("content-length"), sha = r->header("x-amz-meta-sha256");
    if (size == std::to_string(info.size_bytes) && iequals(sha, info.sha256)) return true;
    return Error{url_ + ": " + key + " already holds different bytes (" + size + " bytes, sha256 '" + sha +
                     "'); not overwritten",
                 0, Failure::conflict};
}

Result<void> S3Target::verify(HttpClient& http, const std::string& key, const ObjectInfo& info,
                              const std::atomic<bool>& cancelled) {
    auto there = present(http, key, info, cancelled);
    if (!there) return Error{there.error().message};  // after our own write a mismatch is not a conflict
    if (!*there) return Error{url_ + ": " + key + ": the store does not show the object it accepted"};
    return {};
}

Result<void> S3Target::put_single(HttpClient& http, const std::string& key, const ObjectInfo& info,
                                  const BodySource& body, const std::atomic<bool>& cancelled) {
    for (;;) {
        Call c{"PUT", key, {}, object_headers(info, object_lock_), &body};
        const bool conditional = conditional_put_.load();
        if (conditional) c.headers["if-none-match"] = "*";
        auto r = call(http, c, cancelled);
        if (!r) return r.error();
        if (r->status == 200) return verify(http, key, info, cancelled);
        if (conditional && r->status == 501) {  // Swift s3api: no conditional PUT; the HEAD check stands alone
            conditional_put_ = false;
            continue;
        }
        if (r->status == 412) {  // created meanwhile by someone else
            auto there = present(http, key, info, cancelled);
            if (!there) return there.error();
            if (*there) return {};
        }
        return failure("PUT " + key, *r);
    }
}

Result<std::optional<std::vector<Part>>> S3Target::list_parts(HttpClient& http, const std::string& key,
                                                              const std::string& upload_id,
                                                              const std::atomic<bool>& cancelled) {
    std::vector<Part> all;
    for (int marker = 0;;) {
        Call c{"GET", key, {{"uploadId", upload_id}, {"max-parts", "1000"}}, {}, nullptr};
        if (marker) c.query["part-number-marker"] = std::to_string(marker);
        auto r = call(http, c, cancelled);
        if (!r) return r.error();
        if (r->status == 404 && parse_error(r->body).value_or(S3Error{}).code == "NoSuchUpload")
            return std::optional<std::vector<Part>>();  // aborted or expired by the store's lifecycle rules
        if (r->status != 200) return failure("ListParts " + key, *r);
        auto page = parse_list_parts(r->body);
        if (!page) return Error{url_ + ": ListParts " + key + ": unreadable reply"};
        all.insert(all.end(), page->parts.begin(), page->parts.end());
        if (!page->truncated || page->next_marker <= marker) return std::optional(std::move(all));
        marker = page->next_marker;
    }
}

Result<void> S3Target::abort(HttpClient& http, const std::string& key, const std::string& upload_id,
                             const std::atomic<bool>& cancelled) {
    Call c{"DELETE", key, {{"uploadId", upload_id}}, {}, nullptr};
    auto r = call(http, c, cancelled);
    if (!r) return r.error();
    if (r->status == 204 || r->status == 200 || r->status == 404) return {};
    return failure("AbortMultipartUpload " + key, *r);
}

Result<void> S3Target::put_multipart(HttpClient& http, const std::string& key, const ObjectInfo& info, int fd,
                                     const std::atomic<bool>& cancelled) {
    MemoryJournal scratch;
    UploadJournal& journal = info.journal ? *info.journal : scratch;
    const std::uint64_t size = info.size_bytes;
    const std::uint64_t part_size =
        std::max<std::uint64_t>(options_.part_size_bytes, (size + max_parts - 1) / max_parts);
    const int count = static_cast<int>((size + part_size - 1) / part_size);
    auto part_length = [&](int n) { return std::min(part_size, size - static_cast<std::uint64_t>(n - 1) * part_size); };

    // Resume: a part counts only if both our journal and the store's ListParts have it, same size and ETag.
    std::vector<PartRecord> done(static_cast<std::size_t>(count) + 1);
    std::optional<std::string> upload_id = journal.upload_id();
    if (upload_id) {
        auto listed = list_parts(http, key, *upload_id, cancelled);
        if (!listed) return listed.error();
        if (!*listed) {
            log::warning(url_ + ": multipart upload of " + key + " expired on the store; starting again");
            journal.finish();
            upload_id.reset();
        } else {
            for (const auto& saved : journal.parts()) {
                if (saved.number < 1 || saved.number > count || saved.size_bytes != part_length(saved.number)) continue;
                for (const auto& p : **listed)
                    if (p.number == saved.number && p.size_bytes == saved.size_bytes && iequals(p.etag, saved.etag))
                        done[static_cast<std::size_t>(saved.number)] = saved;
            }
        }
    }
    if (!upload_id) {
        // Not idempotent: a blind retry would leave a second, orphaned upload behind.
        Call c{"POST", key, {{"uploads", ""}}, object_headers(info, object_lock_), nullptr, false};
        auto r = call(http, c, cancelled);
        if (!r) return r.error();
        if (r->status != 200) return failure("CreateMultipartUpload " + key, *r);
        upload_id = parse_upload_id(r->body);
        if (!upload_id) return Error{url_ + ": CreateMultipartUpload " + key + ": no UploadId in the reply"};
        journal.begin(*upload_id);
        log::info(url_ + ": multipart upload " + *upload_id + " of " + key + " started, " + std::to_string(count) +
                  " parts of " + std::to_string(part_size) + " bytes");
    } else {
        log::info(url_ + ": multipart upload " + *upload_id + " of " + key + " resumed");
    }

    std::vector<char> buffer(read_buffer_bytes);
    crypto::Sha256 whole;
    std::vector<Part> parts;
    for (int n = 1; n <= count; ++n) {
        if (cancelled.load()) return Error{"cancelled"};
        BodySource body{{}, fd, static_cast<std::uint64_t>(n - 1) * part_size, part_length(n), {}};
        auto digest = digest_range(fd, body.offset, body.length, buffer, &whole);
        if (!digest) return digest.error().context("staging copy of " + key);
        auto& have = done[static_cast<std::size_t>(n)];
        if (have.number == n && iequals(have.md5_base64, digest->md5_base64)) {
            parts.push_back(Part{n, have.size_bytes, have.etag});
            continue;
        }
        body.digest = std::move(*digest);
        Call c{"PUT", key, {{"partNumber", std::to_string(n)}, {"uploadId", *upload_id}}, {}, &body};
        auto r = call(http, c, cancelled);
        if (!r) return r.error();
        if (r->status != 200) {
            if (parse_error(r->body).value_or(S3Error{}).code == "NoSuchUpload") journal.finish();
            return failure("UploadPart " + std::to_string(n) + " of " + key, *r);
        }
        const std::string etag = unquote(r->header("etag"));
        if (!iequals(etag, body.digest.md5_hex))
            return Error{url_ + ": UploadPart " + std::to_string(n) + " of " + key + ": ETag " + etag +
                         " is not the part's MD5"};
        journal.part_done(PartRecord{n, body.length, etag, body.digest.md5_base64});
        parts.push_back(Part{n, body.length, etag});
    }
    if (whole.hex_digest() != info.sha256)
        return Error{"staging copy of " + key + " no longer matches its recorded sha256 " + info.sha256};

    const std::string xml = complete_body(parts);
    BodySource body{xml, -1, 0, xml.size(), digest_bytes(xml)};
    Call c{"POST", key, {{"uploadId", *upload_id}}, {{"content-type", "application/xml"}}, &body};
    auto r = call(http, c, cancelled);
    if (!r) return r.error();
    // CompleteMultipartUpload may answer 200 with an <Error> body (S3 API reference).
    if (r->status != 200 || parse_error(r->body)) return failure("CompleteMultipartUpload " + key, *r);
    journal.finish();
    return verify(http, key, info, cancelled);
}

Result<void> S3Target::put_file(const std::string& key, const std::filesystem::path& source, const ObjectInfo& info,
                                const std::atomic<bool>& cancelled) {
    const std::string full = object_key(key);
    UniqueFd fd(::open(source.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) return sys_error("open " + source.string());
    auto http = lease();
    auto result = [&]() -> Result<void> {
        auto there = present(*http, full, info, cancelled);
        if (!there) return there.error();
        if (*there) {
            // Already archived (a retry after a lost reply): drop any upload we left half-way.
            if (info.journal)
                if (auto stale = info.journal->upload_id()) {
                    if (auto r = abort(*http, full, *stale, cancelled); !r) return r;
                    info.journal->finish();
                }
            return {};
        }
        if (object_lock_ && info.retain_until)
            if (auto locked = check_object_lock(*http, cancelled); !locked) return locked;
        if (info.size_bytes > options_.part_size_bytes) return put_multipart(*http, full, info, fd.get(), cancelled);
        std::vector<char> buffer(read_buffer_bytes);
        auto digest = digest_range(fd.get(), 0, info.size_bytes, buffer, nullptr);
        if (!digest) return digest.error().context("staging copy of " + key);
        if (digest->sha256_hex != info.sha256)
            return Error{"staging copy of " + key + " no longer matches its recorded sha256 " + info.sha256};
        BodySource body{{}, fd.get(), 0, info.size_bytes, std::move(*digest)};
        return put_single(*http, full, info, body, cancelled);
    }();
    give_back(std::move(http));
    return result;
}

Result<void> S3Target::put_bytes(const std::string& key, std::string_view content) {
    const std::string full = object_key(key);
    const std::atomic<bool> never{false};
    BodySource body{content, -1, 0, content.size(), digest_bytes(content)};
    const ObjectInfo info{body.digest.sha256_hex, content.size()};
    auto http = lease();
    auto result = [&]() -> Result<void> {
        auto there = present(*http, full, info, never);
        if (!there) return there.error();
        if (*there) return {};
        return put_single(*http, full, info, body, never);
    }();
    give_back(std::move(http));
    return result;
}

}  // namespace dockd::archive::s3
