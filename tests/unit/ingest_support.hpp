// Helpers of the ingest tests: patterned content, and the driver seam over an
// in-memory file (a recorder with a bad sector when asked).
#pragma once

#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <span>
#include <sstream>
#include <string>

#include "drivers/recorder.hpp"

namespace dockd::ingest {

inline constexpr std::size_t buffer_size = 64 * 1024;

// Deterministic bytes that differ at every offset modulo a prime, so a
// dropped or repeated buffer changes the hash.
inline std::string pattern(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 31 + i / 251) & 0xFF);
    return s;
}

inline std::span<const std::byte> bytes_of(const std::string& s) {
    return std::as_bytes(std::span(s.data(), s.size()));
}

inline std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// The driver seam over an in-memory file; fails with EIO once `fail_at`
// bytes have been delivered, as a recorder with a bad sector does.
class StringReader final : public drivers::MediaReader {
public:
    explicit StringReader(std::string data, std::optional<std::size_t> fail_at = std::nullopt)
        : data_(std::move(data)), fail_at_(fail_at) {}
    Result<std::size_t> read(std::span<std::byte> buf) override {
        std::size_t end = data_.size();
        if (fail_at_) {
            if (pos_ >= *fail_at_) return sys_error("read", EIO);
            end = std::min(end, *fail_at_);
        }
        const std::size_t n = std::min(buf.size(), end - pos_);
        std::memcpy(buf.data(), data_.data() + pos_, n);
        pos_ += n;
        return n;
    }

private:
    std::string data_;
    std::optional<std::size_t> fail_at_;
    std::size_t pos_ = 0;
};

}  // namespace dockd::ingest
