// The status page's files, embedded in the binary at build time.
#pragma once

#include <string_view>
#include <vector>

namespace dockd::web {

struct EmbeddedFile {
    std::string_view name, content_type, body;
};

// Every embedded file (generated from daemon/web/static by embed.cmake).
const std::vector<EmbeddedFile>& embedded_files();

// "/" is index.html, "/assets/NAME" any other file; nullptr when unknown.
const EmbeddedFile* find_asset(std::string_view url_path);

}  // namespace dockd::web
