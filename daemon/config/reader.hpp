// Private to daemon/config: reads one YAML mapping into typed fields, turning
// every problem into a ConfigError at the line of the node that caused it.
// Only this folder sees yaml-cpp.
#pragma once

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <map>
#include <utility>

#include "daemon/config/config.hpp"

namespace dockd::config::detail {

// Per-file state: where errors go and what relative paths are relative to.
struct Context {
    std::string file;
    std::filesystem::path base_dir;  // absolute
    std::vector<ConfigError> errors;
    std::map<std::string, int> lines;  // Config::lines

    void error(int line, std::string message) { errors.push_back({file, line, std::move(message)}); }
    void error(const YAML::Node& node, std::string message) { error(line_of(node), std::move(message)); }
    static int line_of(const YAML::Node& node) { return node.Mark().line + 1; }
    // Absolute, lexically normal; relative paths are taken from base_dir.
    std::filesystem::path resolve(const std::filesystem::path& p) const {
        return (p.is_absolute() ? p : base_dir / p).lexically_normal();
    }
};

template <class E>
using EnumNames = std::initializer_list<std::pair<const char*, E>>;

// One mapping, e.g. "ingest" or "ports[2]". Keys not in `known` are errors;
// a null node (an empty section) reads as an empty mapping, so defaults hold.
class Section {
public:
    Section(Context& ctx, const YAML::Node& node, std::string where, std::initializer_list<const char*> known,
            int anchor_line);

    bool valid() const { return valid_; }  // false: not a mapping (already reported)
    bool has(const std::string& key) const { return values_.count(key) != 0; }
    YAML::Node get(const std::string& key) const;    // undefined node when absent
    int line() const { return line_; }               // anchor: the key naming the mapping, or the list item
    int line(const std::string& key) const;          // of the key, or of the mapping when absent
    std::string name(const std::string& key) const;  // "ingest.workers"
    Context& ctx() const { return ctx_; }

    // Each reader leaves `out` unchanged when the key is absent or null, and
    // returns true only when it stored a new value.
    bool string(const std::string& key, std::string& out, bool allow_empty = false);
    bool path(const std::string& key, std::filesystem::path& out);  // resolved
    bool boolean(const std::string& key, bool& out);
    bool integer(const std::string& key, int& out, int min, int max);
    bool size(const std::string& key, std::uint64_t& out, std::uint64_t min, std::uint64_t max);
    bool duration(const std::string& key, Millis& out, Millis min = Millis(0));
    template <class E>
    bool enumeration(const std::string& key, E& out, EnumNames<E> names);
    // A sequence (or null) under key; reports anything else.
    std::vector<YAML::Node> sequence(const std::string& key);
    // Scalar text of a present, non-null value; reports non-scalars as "expected <what>".
    std::optional<std::string> scalar(const std::string& key, const char* what);

    void require(const std::string& key);

private:
    Context& ctx_;
    std::string where_;
    int line_ = 0;
    bool valid_ = true;
    std::map<std::string, std::pair<YAML::Node, YAML::Node>> values_;  // key -> (key node, value)
};

template <class E>
bool Section::enumeration(const std::string& key, E& out, EnumNames<E> names) {
    std::string expected;
    for (const auto& [text, value] : names) expected += (expected.empty() ? "" : "|") + std::string(text);
    auto text = scalar(key, expected.c_str());
    if (!text) return false;
    for (const auto& [name_text, value] : names) {
        if (*text == name_text) {
            out = value;
            return true;
        }
    }
    ctx_.error(get(key), name(key) + ": '" + *text + "' is not one of " + expected);
    return false;
}

// The parser of each top-level section, reading root[<section>] into out.
void read_station(Section& root, StationConfig& out);
void read_ports(Section& root, std::vector<PortConfig>& out);
void read_drivers(Section& root, std::vector<DriverConfig>& out);
void read_charge(Section& root, ChargeConfig& out);
void read_clock(Section& root, ClockConfig& out);
void read_checks(Section& root, ChecksConfig& out);
void read_ingest(Section& root, IngestConfig& out);
void read_upload(Section& root, UploadConfig& out);
void read_retention(Section& root, RetentionConfig& out);
// Cross-section: retention.long_term_copies against upload.targets (targets_line: where they are listed).
void check_copies(Context& ctx, int targets, const RetentionConfig& retention, int targets_line);
void read_media(Section& root, MediaConfig& out);
void read_api(Section& root, ApiConfig& out);

// Secrets (S3 keys, API tokens, vendor passwords) must be regular files this
// process can read, with no group or other permission bits (DESIGN §5).
void check_secret_file(Context& ctx, int line, const std::string& key, const std::filesystem::path& file);
// Non-secret files that must merely exist (ca_file).
void check_regular_file(Context& ctx, int line, const std::string& key, const std::filesystem::path& file);

}  // namespace dockd::config::detail
