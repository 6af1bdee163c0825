// media: the sandboxed media probe (issue 14, DESIGN §13).
#include "daemon/config/reader.hpp"

namespace dockd::config::detail {

void read_media(Section& root, MediaConfig& out) {
    Section s(root.ctx(), root.get("media"), "media", {"probe", "probe_timeout", "probe_memory", "probe_helper"},
              root.line("media"));
    s.boolean("probe", out.probe);
    s.duration("probe_timeout", out.probe_timeout, Millis(100));
    s.size("probe_memory", out.probe_memory, 64ull << 20, 64ull << 30);
    s.path("probe_helper", out.probe_helper);
}

}  // namespace dockd::config::detail
