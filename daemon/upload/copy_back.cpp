#include "daemon/upload/copy_back.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "daemon/common/fs.hpp"
#include "daemon/crypto/sha256.hpp"

namespace dockd::upload {

TempCopy::~TempCopy() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
}

Result<void> copy_back(archive::Target& from, const std::string& key, const std::string& sha256,
                       const std::filesystem::path& dest, const std::atomic<bool>& cancelled) {
    UniqueFd fd(::open(dest.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd) return sys_error("create " + dest.string());
    crypto::Sha256 h;
    auto r = from.read(
        key,
        [&](std::string_view chunk) -> Result<void> {
            h.update(chunk);
            return write_all(fd.get(), chunk, dest.string());
        },
        cancelled);
    if (!r) return r;
    if (const auto got = h.hex_digest(); got != sha256)
        return Error{key + ": the copy read back has sha256 " + got + ", not the recorded " + sha256};
    if (::fsync(fd.get()) != 0) return sys_error("fsync " + dest.string());
    return {};
}

}  // namespace dockd::upload
