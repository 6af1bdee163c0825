// upload: archive targets (file:// or s3://), part sizing, bandwidth, windows, retry.
#include <boost/url.hpp>
#include <climits>
#include <set>

#include "daemon/config/reader.hpp"

namespace dockd::config::detail {
namespace {

namespace urls = boost::urls;

// S3 bucket naming rules: 3..63 of [a-z0-9.-], starting and ending alphanumeric.
bool is_bucket_name(const std::string& s) {
    if (s.size() < 3 || s.size() > 63) return false;
    auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    for (char c : s)
        if (!alnum(c) && c != '.' && c != '-') return false;
    return alnum(s.front()) && alnum(s.back());
}

std::string strip_slashes(std::string s) {
    while (!s.empty() && s.front() == '/') s.erase(0, 1);
    while (!s.empty() && s.back() == '/') s.pop_back();
    return s;
}

// Decodes t.url into kind/file_root/bucket/prefix; returns the problem, or "" if none.
std::string decode_target_url(TargetConfig& t, const std::filesystem::path& base_dir) {
    auto parsed = urls::parse_uri(t.url);
    if (!parsed) return "not a URL";
    const urls::url_view& u = *parsed;
    if (u.has_userinfo() || u.has_port() || u.has_query() || u.has_fragment())
        return "must not carry a user, port, query or fragment";
    const std::string scheme(u.scheme());
    if (scheme == "file") {
        // "file:relative/dir" (no "//") is resolved against the config file's
        // directory like every other relative path here; the demo uses it.
        if (!u.has_authority() && !u.path().empty() && !u.path().starts_with('/')) {
            t.kind = TargetKind::file;
            t.file_root = (base_dir / std::string(u.path())).lexically_normal();
            return {};
        }
        if (!u.has_authority() || !u.encoded_host().empty() || !u.path().starts_with('/'))
            return "a file target is file:///absolute/path (or file:relative/path)";
        t.kind = TargetKind::file;
        t.file_root = std::filesystem::path(u.path()).lexically_normal();
        return {};
    }
    if (scheme == "s3") {
        t.kind = TargetKind::s3;
        t.bucket = u.host();
        if (!is_bucket_name(t.bucket)) return "'" + t.bucket + "' is not a valid S3 bucket name";
        t.prefix = strip_slashes(u.path());
        for (const auto& segment : u.segments()) {
            if (segment == "." || segment == "..") return "the prefix must not contain . or ..";
        }
        return {};
    }
    return "expected file:///absolute/path or s3://bucket[/prefix]";
}

std::string check_endpoint(const std::string& endpoint) {
    auto parsed = urls::parse_uri(endpoint);
    if (!parsed) return "not a URL";
    const std::string scheme(parsed->scheme());
    if (scheme != "https" && scheme != "http") return "expected an https:// or http:// URL";
    if (parsed->encoded_host().empty()) return "has no host";
    if (parsed->has_userinfo() || parsed->has_query() || parsed->has_fragment())
        return "must not carry a user, query or fragment";
    return {};
}

void read_target(Context& ctx, const YAML::Node& node, std::size_t index, std::set<std::string>& urls_seen,
                 std::vector<TargetConfig>& out) {
    const std::string where = "upload.targets[" + std::to_string(index) + "]";
    Section s(ctx, node, where,
              {"url", "endpoint", "region", "credentials_file", "ca_file", "path_style", "object_lock"},
              Context::line_of(node));
    if (!s.valid()) return;
    TargetConfig t;
    t.line = Context::line_of(node);
    s.require("url");
    if (!s.string("url", t.url)) return;
    if (std::string problem = decode_target_url(t, ctx.base_dir); !problem.empty()) {
        ctx.error(s.get("url"), s.name("url") + ": '" + t.url + "': " + problem);
        return;
    }
    if (!urls_seen.insert(t.url).second) ctx.error(s.get("url"), s.name("url") + ": duplicate target " + t.url);

    if (t.kind == TargetKind::file) {
        for (const char* key : {"endpoint", "region", "credentials_file", "ca_file", "path_style", "object_lock"}) {
            if (s.has(key)) ctx.error(s.line(key), s.name(key) + ": not an option of a file:// target");
        }
        out.push_back(std::move(t));
        return;
    }
    s.require("endpoint");
    if (s.string("endpoint", t.endpoint)) {
        if (std::string problem = check_endpoint(t.endpoint); !problem.empty())
            ctx.error(s.get("endpoint"), s.name("endpoint") + ": '" + t.endpoint + "': " + problem);
    }
    s.string("region", t.region);
    s.boolean("path_style", t.path_style);
    s.boolean("object_lock", t.object_lock);
    if (s.path("credentials_file", t.credentials_file))
        check_secret_file(ctx, Context::line_of(s.get("credentials_file")), s.name("credentials_file"),
                          t.credentials_file);
    if (s.path("ca_file", t.ca_file))
        check_regular_file(ctx, Context::line_of(s.get("ca_file")), s.name("ca_file"), t.ca_file);
    out.push_back(std::move(t));
}

// "10MiB" or "10MiB/s"; "0" = unlimited.
void read_bandwidth(Section& s, std::uint64_t& out) {
    auto text = s.scalar("bandwidth_limit", "a size per second");
    if (!text) return;
    std::string_view v = *text;
    if (v.ends_with("/s")) v.remove_suffix(2);
    auto value = parse_size(v);
    if (!value) {
        s.ctx().error(s.get("bandwidth_limit"), "upload.bandwidth_limit: bad size '" + *text +
                                                    "' (expected e.g. 10MiB or 10MiB/s; 0 = unlimited)");
        return;
    }
    out = *value;
}

}  // namespace

void read_upload(Section& root, UploadConfig& out) {
    Context& ctx = root.ctx();
    Section s(ctx, root.get("upload"), "upload",
              {"targets", "part_size", "concurrency", "bandwidth_limit", "windows", "retry", "segment_interval"},
              root.line("upload"));
    if (!s.valid()) return;

    std::set<std::string> urls_seen;
    std::size_t index = 0;
    for (const YAML::Node& item : s.sequence("targets")) read_target(ctx, item, index++, urls_seen, out.targets);

    // S3 multipart: parts are 5MiB..5GiB (all but the last).
    s.size("part_size", out.part_size, 5ull << 20, 5ull << 30);
    s.integer("concurrency", out.concurrency, 1, INT_MAX);
    read_bandwidth(s, out.bandwidth_limit_bytes_per_s);

    for (const YAML::Node& item : s.sequence("windows")) {
        std::optional<TimeWindow> window;
        if (item.IsScalar()) window = parse_window(item.Scalar());
        if (!window) {
            const std::string text = item.IsScalar() ? item.Scalar() : std::string("(not a string)");
            ctx.error(item, "upload.windows: bad window '" + text + "' (expected HH:MM-HH:MM, e.g. 22:00-06:00)");
            continue;
        }
        out.windows.push_back(*window);
    }

    s.duration("segment_interval", out.segment_interval, Millis(1000));

    Section retry(ctx, s.get("retry"), "upload.retry", {"initial", "max"}, s.line("retry"));
    bool initial_ok = retry.duration("initial", out.retry.initial, Millis(1));
    bool max_ok = retry.duration("max", out.retry.max, Millis(1));
    if ((initial_ok || max_ok) && out.retry.initial > out.retry.max) {
        ctx.error(retry.line(initial_ok ? "initial" : "max"),
                  "upload.retry.initial must not be longer than upload.retry.max");
    }
}

}  // namespace dockd::config::detail

namespace dockd::config {
std::string parse_target_url(TargetConfig& t, const std::filesystem::path& base_dir) {
    return detail::decode_target_url(t, base_dir);
}
}  // namespace dockd::config
