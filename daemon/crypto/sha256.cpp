#include "daemon/crypto/sha256.hpp"

#include <stdexcept>

#include "daemon/common/hex.hpp"

namespace dockd::crypto {

Sha256::Sha256() : ctx_(EVP_MD_CTX_new(), &EVP_MD_CTX_free) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("OpenSSL: cannot initialise SHA-256");
}

void Sha256::update(std::span<const std::byte> data) {
    EVP_DigestUpdate(ctx_.get(), data.data(), data.size());
}

void Sha256::update(std::string_view data) {
    EVP_DigestUpdate(ctx_.get(), data.data(), data.size());
}

std::string Sha256::hex_digest() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_.get(), md, &len);
    EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr);
    return to_hex(std::span<const unsigned char>(md, len));
}

std::string sha256_hex(std::string_view data) {
    Sha256 h;
    h.update(data);
    return h.hex_digest();
}

}  // namespace dockd::crypto
