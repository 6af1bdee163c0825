// Section: typed reads from one YAML mapping, each problem reported at its line.
#include "daemon/config/reader.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdio>
#include <cstring>

namespace dockd::config::detail {
namespace {

const char* kind_of(const YAML::Node& node) {
    if (node.IsMap()) return "a mapping";
    if (node.IsSequence()) return "a list";
    if (node.IsNull()) return "nothing";
    return "a scalar";
}

// 1048576 -> "1MiB"; sizes that are not whole units stay in bytes.
std::string format_size(std::uint64_t bytes) {
    static constexpr const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int unit = 0;
    while (unit < 4 && bytes != 0 && bytes % 1024 == 0) {
        bytes /= 1024;
        ++unit;
    }
    return std::to_string(bytes) + units[unit];
}

std::string format_duration(Millis d) {
    auto ms = d.count();
    if (ms % 1000 != 0) return std::to_string(ms) + "ms";
    return std::to_string(ms / 1000) + "s";
}

}  // namespace

Section::Section(Context& ctx, const YAML::Node& node, std::string where, std::initializer_list<const char*> known,
                 int anchor_line)
    : ctx_(ctx), where_(std::move(where)), line_(anchor_line) {
    if (!node.IsDefined() || node.IsNull()) return;
    if (!node.IsMap()) {
        ctx_.error(node, (where_.empty() ? std::string("the document") : where_) + ": expected a mapping, got " +
                             kind_of(node));
        valid_ = false;
        return;
    }
    if (!where_.empty()) ctx_.lines.emplace(where_, anchor_line);
    const std::string in = where_.empty() ? "at top level" : "in " + where_;
    for (const auto& kv : node) {
        const YAML::Node& key = kv.first;
        if (!key.IsScalar()) {
            ctx_.error(key, "keys must be plain names " + in);
            continue;
        }
        const std::string& text = key.Scalar();
        bool is_known = false;
        for (const char* k : known) is_known = is_known || text == k;
        if (!is_known) {
            ctx_.error(key, "unknown key '" + text + "' " + in);
        } else if (!values_.emplace(text, std::pair{key, kv.second}).second) {
            ctx_.error(key, "duplicate key '" + text + "' " + in);
        } else {
            ctx_.lines[name(text)] = Context::line_of(key);
        }
    }
}

YAML::Node Section::get(const std::string& key) const {
    auto it = values_.find(key);
    return it == values_.end() ? YAML::Node(YAML::NodeType::Undefined) : it->second.second;
}

int Section::line(const std::string& key) const {
    auto it = values_.find(key);
    return it == values_.end() ? line_ : Context::line_of(it->second.first);
}

std::string Section::name(const std::string& key) const {
    return where_.empty() ? key : where_ + "." + key;
}

std::optional<std::string> Section::scalar(const std::string& key, const char* what) {
    YAML::Node node = get(key);
    if (!node.IsDefined() || node.IsNull()) return std::nullopt;
    if (!node.IsScalar()) {
        ctx_.error(node, name(key) + ": expected " + what + ", got " + kind_of(node));
        return std::nullopt;
    }
    return node.Scalar();
}

void Section::require(const std::string& key) {
    YAML::Node node = get(key);
    if (!node.IsDefined() || node.IsNull()) ctx_.error(line(key), "missing required key " + name(key));
}

bool Section::string(const std::string& key, std::string& out, bool allow_empty) {
    auto text = scalar(key, "a string");
    if (!text) return false;
    if (text->empty() && !allow_empty) {
        ctx_.error(get(key), name(key) + ": must not be empty");
        return false;
    }
    out = *text;
    return true;
}

bool Section::path(const std::string& key, std::filesystem::path& out) {
    std::string text;
    if (!string(key, text)) return false;
    out = ctx_.resolve(text);
    return true;
}

bool Section::boolean(const std::string& key, bool& out) {
    auto text = scalar(key, "true or false");
    if (!text) return false;
    // YAML 1.2 core schema: yes/no/on/off are strings, not booleans.
    if (*text == "true" || *text == "True" || *text == "TRUE") {
        out = true;
    } else if (*text == "false" || *text == "False" || *text == "FALSE") {
        out = false;
    } else {
        ctx_.error(get(key), name(key) + ": expected true or false, got '" + *text + "'");
        return false;
    }
    return true;
}

bool Section::integer(const std::string& key, int& out, int min, int max) {
    auto text = scalar(key, "an integer");
    if (!text) return false;
    int value = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc{} || end != text->data() + text->size()) {
        ctx_.error(get(key), name(key) + ": expected an integer, got '" + *text + "'");
        return false;
    }
    if (value < min || value > max) {
        ctx_.error(get(key),
                   name(key) + ": " + *text +
                       (max == INT_MAX ? " is too small; must be at least " + std::to_string(min)
                                       : " is out of range " + std::to_string(min) + ".." + std::to_string(max)));
        return false;
    }
    out = value;
    return true;
}

bool Section::size(const std::string& key, std::uint64_t& out, std::uint64_t min, std::uint64_t max) {
    auto text = scalar(key, "a size");
    if (!text) return false;
    auto value = parse_size(*text);
    if (!value) {
        ctx_.error(get(key), name(key) + ": bad size '" + *text + "' (expected e.g. 16MiB, 500KB or a byte count)");
        return false;
    }
    if (*value < min || *value > max) {
        ctx_.error(get(key), name(key) + ": " + *text + " is out of range " + format_size(min) + ".." +
                                 (max == UINT64_MAX ? std::string() : format_size(max)));
        return false;
    }
    out = *value;
    return true;
}

bool Section::duration(const std::string& key, Millis& out, Millis min) {
    auto text = scalar(key, "a duration");
    if (!text) return false;
    auto value = parse_duration(*text);
    if (!value) {
        ctx_.error(get(key), name(key) + ": bad duration '" + *text + "' (expected e.g. 500ms, 90s, 15m, 24h, 2d)");
        return false;
    }
    if (*value < min) {
        ctx_.error(get(key), name(key) + ": " + *text + " is too short; must be at least " + format_duration(min));
        return false;
    }
    out = *value;
    return true;
}

std::vector<YAML::Node> Section::sequence(const std::string& key) {
    std::vector<YAML::Node> items;
    YAML::Node node = get(key);
    if (!node.IsDefined() || node.IsNull()) return items;
    if (!node.IsSequence()) {
        ctx_.error(node, name(key) + ": expected a list, got " + kind_of(node));
        return items;
    }
    for (const auto& item : node) items.push_back(item);
    return items;
}

void check_secret_file(Context& ctx, int line, const std::string& key, const std::filesystem::path& file) {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) {
        ctx.error(line, key + ": cannot read secret file " + file.string() + ": " + std::strerror(errno));
        return;
    }
    if (!S_ISREG(st.st_mode)) {
        ctx.error(line, key + ": secret file " + file.string() + " is not a regular file");
        return;
    }
    if (::access(file.c_str(), R_OK) != 0) {
        ctx.error(line, key + ": cannot read secret file " + file.string() + ": " + std::strerror(errno));
        return;
    }
    if ((st.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        ctx.error(line, key + ": secret file " + file.string() + " is mode " + mode + "; must be 0600 or stricter");
    }
}

void check_regular_file(Context& ctx, int line, const std::string& key, const std::filesystem::path& file) {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) {
        ctx.error(line, key + ": cannot read " + file.string() + ": " + std::strerror(errno));
    } else if (!S_ISREG(st.st_mode)) {
        ctx.error(line, key + ": " + file.string() + " is not a regular file");
    } else if (::access(file.c_str(), R_OK) != 0) {
        ctx.error(line, key + ": cannot read " + file.string() + ": " + std::strerror(errno));
    }
}

}  // namespace dockd::config::detail
