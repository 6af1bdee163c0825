// The helper's libavformat side: what one media file on a descriptor holds.
#pragma once

#include "daemon/custody/media_facts.hpp"

namespace dockd::media {

MediaFacts probe_fd(int fd);

}  // namespace dockd::media
