#include "daemon/archive/s3/digest.hpp"

#include <openssl/evp.h>
#include <unistd.h>

#include <memory>

#include "daemon/common/hex.hpp"

namespace dockd::archive::s3 {
namespace {

class Md5 {
public:
    Md5() : ctx_(EVP_MD_CTX_new(), &EVP_MD_CTX_free) { EVP_DigestInit_ex(ctx_.get(), EVP_md5(), nullptr); }
    void update(const void* p, std::size_t n) { EVP_DigestUpdate(ctx_.get(), p, n); }
    void finish(RangeDigest& out) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        EVP_DigestFinal_ex(ctx_.get(), md, &len);
        out.md5_hex = to_hex(std::span<const unsigned char>(md, len));
        unsigned char b64[64];
        const int n = EVP_EncodeBlock(b64, md, static_cast<int>(len));
        out.md5_base64.assign(reinterpret_cast<const char*>(b64), static_cast<std::size_t>(n));
    }

private:
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

}  // namespace

Result<RangeDigest> digest_range(int fd, std::uint64_t offset, std::uint64_t length, std::vector<char>& buffer,
                                 crypto::Sha256* whole) {
    Md5 md5;
    crypto::Sha256 sha;
    for (std::uint64_t done = 0; done < length;) {
        const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), length - done));
        const ssize_t n = ::pread(fd, buffer.data(), want, static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return sys_error("read at " + std::to_string(offset + done));
        if (n == 0) return Error{"file ends at " + std::to_string(offset + done) + ", expected more bytes"};
        const std::string_view chunk(buffer.data(), static_cast<std::size_t>(n));
        md5.update(chunk.data(), chunk.size());
        sha.update(chunk);
        if (whole) whole->update(chunk);
        done += static_cast<std::uint64_t>(n);
    }
    RangeDigest d;
    md5.finish(d);
    d.sha256_hex = sha.hex_digest();
    return d;
}

RangeDigest digest_bytes(std::string_view data) {
    Md5 md5;
    md5.update(data.data(), data.size());
    RangeDigest d;
    md5.finish(d);
    d.sha256_hex = crypto::sha256_hex(data);
    return d;
}

}  // namespace dockd::archive::s3
