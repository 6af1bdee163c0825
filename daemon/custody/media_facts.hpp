// What the media probe learnt of one staged file (DESIGN §13). Every field is
// read from the file or null (§12): nothing is guessed from names or sizes.
// The store keeps it with the file, so the type lives with the store's
// records; daemon/media produces it (media -> custody, never back).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace dockd::media {

struct MediaFacts {
    std::optional<std::string> container;     // "mp4", "mov", "wav", "jpeg", ...
    std::optional<std::int64_t> duration_ms;  // as the container declares it
    std::optional<std::string> video_codec;   // first video stream
    std::optional<std::int64_t> width, height;
    std::optional<std::string> audio_codec;  // first audio stream
    std::optional<std::string> created_at;   // container creation_time, RFC 3339 UTC
    // ok | truncated | unreadable | not_media
    std::string integrity = "unreadable";
    std::string detail;  // why, in words, when integrity is not ok
};

}  // namespace dockd::media
