// UTF-8 as RFC 3629 defines it, for text that came from outside (recorders,
// configuration, URLs) and is going into JSON, which must be valid UTF-8 and
// which Boost.JSON's serializer copies byte for byte without checking.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace dockd {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when invalid
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
std::size_t utf8_sequence(std::string_view s, std::size_t i);
// Offset of the first byte that does not start a valid sequence, or npos.
std::size_t utf8_invalid_at(std::string_view s);
// Cuts s to at most n bytes without splitting a UTF-8 sequence.
std::string utf8_prefix(std::string_view s, std::size_t n);
// s with each invalid byte replaced by U+FFFD (REPLACEMENT CHARACTER); valid
// text is returned unchanged.
std::string utf8_valid(std::string_view s);

}  // namespace dockd
