// The helper's libavformat side: what one media file on a descriptor holds.
#pragma once

#include "daemon/media/facts.hpp"

namespace dockd::media {

MediaFacts probe_fd(int fd);

}  // namespace dockd::media
