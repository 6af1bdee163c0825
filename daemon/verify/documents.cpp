#include "daemon/verify/documents.hpp"

#include <boost/json.hpp>
#include <charconv>

#include "daemon/common/fs.hpp"
#include "daemon/custody/audit_chain.hpp"

namespace dockd::verify {
namespace json = boost::json;
namespace {

const json::object* object_at(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_object() ? &v->as_object() : nullptr;
}

std::optional<std::string> string_at(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (!v || !v->is_string()) return std::nullopt;
    return std::string(v->as_string());
}

std::optional<std::int64_t> int_at(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (v && v->is_int64()) return v->as_int64();
    if (v && v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        return static_cast<std::int64_t>(v->as_uint64());
    return std::nullopt;
}

Result<json::object> parse_object(std::string_view bytes, const char* what) {
    boost::system::error_code ec;
    auto v = json::parse(bytes, ec);
    if (ec) return Error{std::string(what) + " is not JSON: " + ec.message()};
    if (!v.is_object()) return Error{std::string(what) + " is not a JSON object"};
    return std::move(v.as_object());
}

// One entry of a manifest's files or an amendment's changes.
Result<FileEntry> file_entry(const json::value& v, std::size_t index, const char* list, bool need_size) {
    const std::string where = std::string(list) + "[" + std::to_string(index) + "]";
    if (!v.is_object()) return Error{where + " is not an object"};
    const auto& o = v.as_object();
    FileEntry f;
    auto object = string_at(o, "object");
    auto sha = string_at(o, "sha256");
    if (!object || !sha) return Error{where + ": no object or sha256"};
    if (!is_safe_relative_key(*object)) return Error{where + ": object '" + *object + "' is not a safe relative key"};
    f.object = std::move(*object), f.sha256 = std::move(*sha);
    f.retention = string_at(o, "retention").value_or("");
    if (auto size = int_at(o, "size"); size && *size >= 0)
        f.size = static_cast<std::uint64_t>(*size), f.has_size = true;
    if (need_size && !f.has_size) return Error{where + ": no size"};
    return f;
}

// A manifest's files or an amendment's changes.
Result<void> entries_of(const json::object& o, const char* list, bool need_size, std::vector<FileEntry>& out) {
    const auto* items = o.if_contains(list);
    if (!items || !items->is_array()) return Error{std::string("no ") + list + " list"};
    for (std::size_t i = 0; i < items->as_array().size(); ++i) {
        auto f = file_entry(items->as_array()[i], i, list, need_size);
        if (!f) return f.error();
        out.push_back(std::move(*f));
    }
    return {};
}

// The parts both documents share: station, docking and the cited audit head.
template <class View>
Result<View> head_of(const json::object& o, const char* schema, std::optional<std::string> station,
                     std::optional<std::string> docking) {
    if (string_at(o, "schema") != schema) return Error{std::string("schema is not ") + schema};
    const auto* audit = object_at(o, "audit");
    auto seq = audit ? int_at(*audit, "seq") : std::nullopt;
    auto hash = audit ? string_at(*audit, "hash") : std::nullopt;
    if (!station || !docking || !seq || !hash) return Error{"station, docking or audit {seq, hash} missing"};
    View view;
    view.station = std::move(*station), view.docking = std::move(*docking);
    view.audit_seq = *seq, view.audit_hash = std::move(*hash);
    return view;
}

bool is_name(std::string_view s) {
    if (s.empty() || s == "." || s == "..") return false;
    for (char c : s)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') return false;
    return true;
}

std::optional<std::int64_t> seq12(std::string_view s) {
    std::int64_t v = 0;
    if (s.size() != 12 || std::from_chars(s.data(), s.data() + 12, v).ptr != s.data() + 12) return std::nullopt;
    return v;
}

std::vector<std::string_view> split(std::string_view key) {
    std::vector<std::string_view> parts;
    for (std::size_t start = 0; start <= key.size();) {
        const auto end = std::min(key.find('/', start), key.size());
        parts.push_back(key.substr(start, end - start));
        start = end + 1;
    }
    return parts;
}

}  // namespace

ParsedSegment parse_segment(std::string_view bytes) {
    ParsedSegment out;
    if (bytes.empty()) {
        out.problem = "empty";
        return out;
    }
    std::size_t line_no = 0;
    for (std::size_t start = 0; start < bytes.size();) {
        ++line_no;
        const auto end = bytes.find('\n', start);
        if (end == std::string_view::npos) {
            out.problem = "line " + std::to_string(line_no) + " is cut short (no newline)";
            return out;
        }
        auto o = parse_object(bytes.substr(start, end - start), ("line " + std::to_string(line_no)).c_str());
        start = end + 1;
        auto seq = o ? int_at(*o, "seq") : std::nullopt;
        auto at = o ? string_at(*o, "at") : std::nullopt;
        auto kind = o ? string_at(*o, "kind") : std::nullopt;
        auto payload = o ? string_at(*o, "payload") : std::nullopt;
        auto hash = o ? string_at(*o, "hash") : std::nullopt;
        if (!seq || !at || !kind || !payload || !hash) {
            out.problem =
                o ? "line " + std::to_string(line_no) + " lacks seq, at, kind, payload or hash" : o.error().message;
            return out;
        }
        out.rows.push_back({*seq, std::move(*at), std::move(*kind), std::move(*payload), std::move(*hash)});
    }
    return out;
}

RowCheck check_rows(const std::vector<SegmentRow>& rows, std::int64_t first, std::int64_t last,
                    const std::optional<std::string>& prev_hash) {
    RowCheck out;
    if (rows.empty()) {
        out.problems.push_back("no rows");
        return out;
    }
    std::optional<std::string> prev = prev_hash;
    std::int64_t expected = first;
    for (const auto& row : rows) {
        if (row.seq != expected) {
            out.problems.push_back(row.seq > expected ? "rows " + std::to_string(expected) + "-" +
                                                            std::to_string(row.seq - 1) + " are missing"
                                                      : "row " + std::to_string(row.seq) + " is out of order");
            prev.reset();  // resume from this row's own hash
        }
        if (prev && custody::chain_hash(*prev, row.payload) != row.hash)
            out.problems.push_back("row " + std::to_string(row.seq) +
                                   ": hash does not match its payload and predecessor");
        // The hash covers the payload only: kind and time must be the payload's own.
        auto payload = parse_object(row.payload, "payload");
        if (!payload || string_at(*payload, "kind") != row.kind || string_at(*payload, "at") != row.at)
            out.problems.push_back("row " + std::to_string(row.seq) + ": kind or at differs from its payload");
        prev = row.hash;
        expected = row.seq + 1;
    }
    if (rows.back().seq != last)
        out.problems.push_back("named to end at seq " + std::to_string(last) + ", ends at " +
                               std::to_string(rows.back().seq));
    out.first_hash = rows.front().hash;
    out.last_hash = rows.back().hash;
    return out;
}

std::optional<ChainFact> fact_of(const SegmentRow& row) {
    auto p = parse_object(row.payload, "payload");
    if (!p) return std::nullopt;
    ChainFact f;
    f.kind = string_at(*p, "kind").value_or("");
    f.docking = string_at(*p, "docking").value_or("");
    if (f.kind == "file_staged") {
        f.file_id = int_at(*p, "file_id").value_or(0);
        f.object = string_at(*p, "object").value_or("");
        f.sha256 = string_at(*p, "sha256").value_or("");
        f.size = static_cast<std::uint64_t>(std::max<std::int64_t>(0, int_at(*p, "size").value_or(0)));
    } else if (f.kind == "file_lost") {
        f.file_id = int_at(*p, "file_id").value_or(0);
    } else if (f.kind == "manifest_signed") {
        f.object = string_at(*p, "object").value_or("");
        f.detail = string_at(*p, "signature").value_or("");
    } else if (f.kind == "retain" || f.kind == "annotated") {
        f.file_id = int_at(*p, "file").value_or(0);
        f.number = int_at(*p, "changed").value_or(1);
    } else if (f.kind == "key_rotated") {
        f.number = int_at(*p, "key_no").value_or(0);
        f.detail = string_at(*p, "public_key").value_or("");
    } else if (f.kind != "docked") {
        return std::nullopt;
    }
    return f;
}

Result<ManifestView> parse_manifest(std::string_view bytes) {
    auto o = parse_object(bytes, "manifest");
    if (!o) return o.error();
    const auto* station = object_at(*o, "station");
    const auto* docking = object_at(*o, "docking");
    auto view = head_of<ManifestView>(*o, "dockd.manifest/1", station ? string_at(*station, "id") : std::nullopt,
                                      docking ? string_at(*docking, "id") : std::nullopt);
    if (!view) return view.error();
    if (auto r = entries_of(*o, "files", true, view->files); !r) return r.error();
    return view;
}

Result<AmendmentView> parse_amendment(std::string_view bytes) {
    auto o = parse_object(bytes, "amendment");
    if (!o) return o.error();
    auto view = head_of<AmendmentView>(*o, "dockd.amendment/1", string_at(*o, "station"), string_at(*o, "docking"));
    if (!view) return view.error();
    if (auto r = entries_of(*o, "changes", false, view->changes); !r) return r.error();
    return view;
}

ObjectName classify(std::string_view key) {
    ObjectName n;
    const auto parts = split(key);
    const std::string_view top = parts.front();
    if (top != "audit" && top != "manifests" && top != "amendments" && top != "keys") return n;
    n.layout = Layout::unknown;
    if (parts.size() < 3 || !is_name(parts[1])) return n;
    n.station = parts[1];
    std::string_view leaf = parts.back();
    n.signature = leaf.ends_with(".sig") && top != "keys";
    if (n.signature) leaf.remove_suffix(4);
    n.document = std::string(key.substr(0, key.size() - (n.signature ? 4 : 0)));
    if (top == "audit" && parts.size() == 3 && leaf.size() == 31 && leaf.ends_with(".jsonl") && leaf[12] == '-') {
        auto first = seq12(leaf.substr(0, 12)), last = seq12(leaf.substr(13, 12));
        if (first && last && *first >= 1 && *first <= *last)
            n.layout = Layout::segment, n.first_seq = *first, n.last_seq = *last;
    } else if (top == "manifests" && parts.size() == 3 && leaf.ends_with(".json")) {
        leaf.remove_suffix(5);
        if (is_name(leaf)) n.layout = Layout::manifest, n.docking = leaf;
    } else if (top == "amendments" && parts.size() == 4 && is_name(parts[2]) && leaf.ends_with(".json")) {
        auto seq = seq12(leaf.substr(0, leaf.size() - 5));
        if (seq && leaf.size() == 17)
            n.layout = Layout::amendment, n.docking = parts[2], n.first_seq = n.last_seq = *seq;
    } else if (top == "keys" && parts.size() == 3 && leaf.ends_with(".pem")) {
        int no = 0;
        const auto digits = leaf.substr(0, leaf.size() - 4);
        if (!digits.empty() &&
            std::from_chars(digits.data(), digits.data() + digits.size(), no).ptr == digits.data() + digits.size() &&
            no >= 1)
            n.layout = Layout::key, n.key_no = no;
    }
    return n;
}

}  // namespace dockd::verify
