#include "daemon/web/assets.hpp"

namespace dockd::web {

const EmbeddedFile* find_asset(std::string_view url_path) {
    std::string_view name;
    if (url_path == "/")
        name = "index.html";
    else if (url_path.starts_with("/assets/"))
        name = url_path.substr(8);
    else
        return nullptr;
    for (const auto& f : embedded_files())
        if (f.name == name) return &f;
    return nullptr;
}

}  // namespace dockd::web
