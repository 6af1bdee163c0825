#include "daemon/archive/file_target.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <random>
#include <vector>

#include "daemon/common/fs.hpp"
#include "daemon/crypto/sha256.hpp"

namespace dockd::archive {
namespace fs = std::filesystem;
namespace {

constexpr std::size_t buffer_bytes = 1 << 20;

Result<ObjectInfo> hash_file(const fs::path& p, std::vector<std::byte>& buf) {
    UniqueFd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) return sys_error("open " + p.string());
    crypto::Sha256 h;
    ObjectInfo info;
    for (;;) {
        const ssize_t n = ::read(fd.get(), buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return sys_error("read " + p.string());
        }
        if (n == 0) break;
        h.update(std::span(buf.data(), static_cast<std::size_t>(n)));
        info.size_bytes += static_cast<std::uint64_t>(n);
    }
    info.sha256 = h.hex_digest();
    return info;
}

Result<void> same_or_conflict(const fs::path& dest, const ObjectInfo& want, std::vector<std::byte>& buf) {
    auto have = hash_file(dest, buf);
    if (!have) return have.error();
    if (have->sha256 == want.sha256 && have->size_bytes == want.size_bytes) return {};
    return Error{
        "conflict: " + dest.string() + " already holds different bytes (sha256 " + have->sha256 + "); not overwritten",
        0, Failure::conflict};
}

}  // namespace

template <class Fill>
Result<void> FileTarget::put(const std::string& key, const ObjectInfo& info, Fill&& fill) {
    std::vector<std::byte> buf(buffer_bytes);
    const fs::path dest = root_ / key;
    if (auto r = make_dirs(dest.parent_path(), 0750); !r) return r;
    if (::access(dest.c_str(), F_OK) == 0) return same_or_conflict(dest, info, buf);

    if (auto r = make_dirs(incoming_, 0750); !r) return r;
    std::random_device rd;
    const fs::path temp = incoming_ / (std::to_string(rd()) + ".part");
    {
        UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640));
        if (!fd) return sys_error("create " + temp.string());
        crypto::Sha256 h;
        auto written = fill(fd.get(), h, buf);
        if (written && ::fsync(fd.get()) != 0) written = sys_error("fsync " + temp.string());
        if (written && h.hex_digest() != info.sha256)
            written = Error{"source bytes do not match the recorded sha256 " + info.sha256};
        if (!written) {
            ::unlink(temp.c_str());
            return written;
        }
    }
    const int linked = ::link(temp.c_str(), dest.c_str());
    const int link_errno = errno;
    ::unlink(temp.c_str());
    if (linked != 0) {
        if (link_errno == EEXIST) return same_or_conflict(dest, info, buf);
        return sys_error("link " + dest.string(), link_errno);
    }
    if (auto r = fsync_dir(dest.parent_path()); !r) return r;
    // Nothing is archived until the target shows the bytes it holds.
    auto have = hash_file(dest, buf);
    if (!have) return have.error();
    if (have->sha256 != info.sha256 || have->size_bytes != info.size_bytes)
        return Error{dest.string() + ": read-back does not match (sha256 " + have->sha256 + ")"};
    return {};
}

Result<void> FileTarget::recover() {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(incoming_, ec)) fs::remove(e.path(), ec);
    if (ec && ec != std::errc::no_such_file_or_directory)
        return Error{"sweep " + incoming_.string() + ": " + ec.message()};
    return {};
}

Result<void> FileTarget::put_file(const std::string& key, const fs::path& source, const ObjectInfo& info,
                                  const std::atomic<bool>& cancelled) {
    return put(key, info, [&](int out, crypto::Sha256& h, std::vector<std::byte>& buf) -> Result<void> {
        UniqueFd in(::open(source.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
        if (!in) return sys_error("open " + source.string());
        for (;;) {
            if (cancelled.load()) return Error{"cancelled"};
            const ssize_t n = ::read(in.get(), buf.data(), buf.size());
            if (n < 0) {
                if (errno == EINTR) continue;
                return sys_error("read " + source.string());
            }
            if (n == 0) return {};
            const std::string_view chunk(reinterpret_cast<const char*>(buf.data()), static_cast<std::size_t>(n));
            h.update(chunk);
            if (auto w = write_all(out, chunk, key); !w) return w;
        }
    });
}

Result<void> FileTarget::put_bytes(const std::string& key, std::string_view content) {
    const ObjectInfo info{crypto::sha256_hex(content), content.size()};
    return put(key, info, [&](int out, crypto::Sha256& h, std::vector<std::byte>&) -> Result<void> {
        h.update(content);
        return write_all(out, content, key);
    });
}

}  // namespace dockd::archive
