// Entry points: read a file, parse its YAML, and run every section's parser.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "daemon/config/reader.hpp"

namespace dockd::config {

LoadResult parse_config(const std::string& yaml_text, const std::filesystem::path& file) {
    std::error_code ec;
    std::filesystem::path source = std::filesystem::absolute(file.empty() ? "." : file, ec).lexically_normal();
    detail::Context ctx{file.string(), file.empty() ? source : source.parent_path(), {}};

    YAML::Node doc;
    try {
        doc = YAML::Load(yaml_text);
    } catch (const YAML::Exception& e) {
        ctx.error(e.mark.line + 1, "YAML syntax error: " + e.msg);
        return {std::nullopt, std::move(ctx.errors)};
    }

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
    }

    LoadResult result;
    result.errors = std::move(ctx.errors);
    std::stable_sort(result.errors.begin(), result.errors.end(),
                     [](const ConfigError& a, const ConfigError& b) { return a.line < b.line; });
    if (result.errors.empty()) result.config = std::move(cfg);
    return result;
}

LoadResult load_config(const std::filesystem::path& file) {
    auto fail = [&file](int err) {
        return LoadResult{std::nullopt, {{file.string(), 0, std::string("cannot read: ") + std::strerror(err)}}};
    };
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail(errno);
    std::string text;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int err = errno;
            ::close(fd);
            return fail(err);
        }
        if (n == 0) break;
        text.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return parse_config(text, file);
}

}  // namespace dockd::config
