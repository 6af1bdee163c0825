// Entry points: read a file, parse its YAML, and run every section's parser.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sstream>
#include <vector>

#include "daemon/common/result.hpp"
#include "daemon/common/utf8.hpp"
#include "daemon/config/reader.hpp"

namespace dockd::config {
namespace {

int line_at(const std::string& text, std::size_t pos) {
    return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(pos), '\n'));
}

// The stream must be UTF-8 (YAML 1.2 §5.2 as dockd reads it) without NUL
// bytes: names and paths from here reach JSON, the journal and syscalls.
bool check_text(detail::Context& ctx, const std::string& text) {
    const std::size_t bad = utf8_invalid_at(text);
    if (bad != std::string::npos) {
        ctx.error(line_at(text, bad), "not valid UTF-8 (byte " + std::to_string(bad) + "); the file must be UTF-8");
        return false;
    }
    if (const auto nul = text.find('\0'); nul != std::string::npos) {
        ctx.error(line_at(text, nul), "NUL byte in the file");
        return false;
    }
    return true;
}

// Escapes in quoted scalars ("\0", "\x80") can still make text that is not
// UTF-8 or holds NUL: every key and value is checked once decoded.
void check_scalars(detail::Context& ctx, const YAML::Node& node) {
    if (node.IsScalar()) {
        const std::string& v = node.Scalar();
        if (utf8_invalid_at(v) != std::string::npos || v.find('\0') != std::string::npos)
            ctx.error(node, "a NUL character or text that is not UTF-8 (from an escape?)");
    } else if (node.IsSequence()) {
        for (const auto& item : node) check_scalars(ctx, item);
    } else if (node.IsMap()) {
        for (const auto& kv : node) {
            check_scalars(ctx, kv.first);
            check_scalars(ctx, kv.second);
        }
    }
}

// The line that starts the second document: its "---" marker, or its first
// node when the first document ended with "...".
int second_document_line(const std::string& text, const YAML::Mark& second) {
    int line = 1, marker = 0;
    const int node_line = second.line + 1;
    for (std::size_t pos = 0; pos < text.size() && line <= node_line; ++line) {
        const auto end = std::min(text.find('\n', pos), text.size());
        const std::string_view l(text.data() + pos, end - pos);
        if (l.substr(0, 3) == "---" && (l.size() == 3 || l[3] == ' ' || l[3] == '\t' || l[3] == '\r')) marker = line;
        pos = end + 1;
    }
    return marker > 0 ? marker : node_line;
}

// Notes where each document starts and nothing else: the second pass over
// the text only has to tell whether a second document follows the first.
class DocumentStarts : public YAML::EventHandler {
public:
    std::vector<YAML::Mark> starts;

    void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
};

// One document only: a second one ("---") would otherwise be ignored unread.
// Never YAML::LoadAll: in yaml-cpp 0.7.0 it loops for ever, memory growing,
// when a token that cannot start a node (a ',' in block context: ",", "---
// ,", "!:,") stops the parser without being consumed (fuzz_config found it;
// upstream yaml-cpp#1040, fixed after 0.7.0). The parser is asked for at
// most two documents here, so such a token ends the walk as a second
// "document" and is reported at its line.
std::optional<YAML::Node> one_document(detail::Context& ctx, const std::string& text) {
    YAML::Node first;
    DocumentStarts documents;
    try {
        first = YAML::Load(text);
        std::istringstream in(text);
        YAML::Parser parser(in);
        for (int i = 0; i < 2 && parser.HandleNextDocument(documents); ++i) {
        }
    } catch (const YAML::Exception& e) {
        ctx.error(e.mark.line + 1, "YAML syntax error: " + e.msg);
        return std::nullopt;
    }
    if (documents.starts.size() > 1) {
        const YAML::Mark& at = documents.starts[1];
        const auto pos = static_cast<std::size_t>(std::max(at.pos, 0));
        if (pos < text.size() && text[pos] == ',')
            ctx.error(at.line + 1, "YAML syntax error: ',' outside a flow collection where no scalar precedes it");
        else
            ctx.error(second_document_line(text, at),
                      "a second YAML document; the configuration is one document (remove the '---' line)");
        return std::nullopt;
    }
    return first;
}

}  // namespace

LoadResult parse_config(const std::string& yaml_text, const std::filesystem::path& file) {
    std::error_code ec;
    std::filesystem::path source = std::filesystem::absolute(file.empty() ? "." : file, ec).lexically_normal();
    detail::Context ctx{file.string(), file.empty() ? source : source.parent_path(), {}, {}};

    std::optional<YAML::Node> parsed;
    if (check_text(ctx, yaml_text)) parsed = one_document(ctx, yaml_text);
    if (parsed) check_scalars(ctx, *parsed);
    if (!ctx.errors.empty()) return {std::nullopt, std::move(ctx.errors)};
    const YAML::Node& doc = *parsed;

    Config cfg;
    cfg.source = file.empty() ? std::filesystem::path() : source;
    detail::Section root(
        ctx, doc, "",
        {"station", "ports", "drivers", "charge", "clock", "checks", "ingest", "upload", "retention", "media", "api"},
        1);
    if (root.valid()) {
        detail::read_station(root, cfg.station);
        detail::read_ports(root, cfg.ports);
        detail::read_drivers(root, cfg.drivers);
        detail::read_charge(root, cfg.charge);
        detail::read_clock(root, cfg.clock);
        detail::read_checks(root, cfg.checks);
        detail::read_ingest(root, cfg.ingest);
        detail::read_upload(root, cfg.upload);
        detail::read_retention(root, cfg.retention);
        detail::read_media(root, cfg.media);
        detail::read_api(root, cfg.api);
        // Targets as written count, also one with an error of its own.
        const YAML::Node upload = root.get("upload");
        YAML::Node targets;  // stays null without the key (operator[] would give an invalid node)
        if (upload.IsMap())
            for (const auto& kv : upload)
                if (kv.first.Scalar() == "targets") targets = kv.second;
        const int declared =
            targets.IsSequence() ? static_cast<int>(targets.size()) : static_cast<int>(cfg.upload.targets.size());
        detail::check_copies(ctx, declared, cfg.retention,
                             targets.IsNull() ? root.line("upload") : detail::Context::line_of(targets));
    }

    LoadResult result;
    result.errors = std::move(ctx.errors);
    std::stable_sort(result.errors.begin(), result.errors.end(),
                     [](const ConfigError& a, const ConfigError& b) { return a.line < b.line; });
    cfg.lines = std::move(ctx.lines);
    if (result.errors.empty()) result.config = std::move(cfg);
    return result;
}

namespace {

// Only a regular file, read whole up to max_config_bytes: a FIFO would block
// start-up and /dev/zero would never end (open is non-blocking for that).
Result<std::string> read_config_file(const std::filesystem::path& file) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) return sys_error("cannot read");
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) return sys_error("cannot read");
    if (!S_ISREG(st.st_mode))
        return Error{std::string("not a regular file (") +
                     (S_ISDIR(st.st_mode)    ? "a directory"
                      : S_ISFIFO(st.st_mode) ? "a FIFO"
                      : S_ISCHR(st.st_mode)  ? "a character device"
                      : S_ISBLK(st.st_mode)  ? "a block device"
                                             : "a socket") +
                     "); the configuration must be a regular file"};
    const std::string too_big = "larger than " + std::to_string(max_config_bytes >> 20) + " MiB, the limit";
    if (static_cast<std::uint64_t>(st.st_size) > max_config_bytes) return Error{too_big};
    std::string text(max_config_bytes + 1, '\0');
    std::size_t got = 0;
    while (got < text.size()) {
        const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return sys_error("cannot read");
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
    }
    if (got > max_config_bytes) return Error{too_big};  // it grew while being read
    text.resize(got);
    return text;
}

}  // namespace

LoadResult load_config(const std::filesystem::path& file) {
    auto text = read_config_file(file);
    if (!text) return LoadResult{std::nullopt, {{file.string(), 0, text.error().message}}};
    return parse_config(*text, file);
}

}  // namespace dockd::config
