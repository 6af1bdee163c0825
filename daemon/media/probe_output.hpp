// The probe helper's answer on its stdout: one `key=value` per line, keys as
// in MediaFacts. Plain text rather than JSON so the sandboxed helper needs no
// JSON library, and a truncated or garbled answer is easy to refuse.
#pragma once

#include <string>
#include <string_view>

#include "daemon/custody/media_facts.hpp"

namespace dockd::media {

std::string format_facts(const MediaFacts& f);
// An answer without a valid integrity line reads as unreadable; values that
// do not parse are null, never guessed.
MediaFacts parse_facts(std::string_view text);

}  // namespace dockd::media
