// Streaming SHA-256 over OpenSSL EVP: the ingest hashes in the copy pass.
#pragma once

#include <openssl/evp.h>

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace dockd::crypto {

class Sha256 {
public:
    Sha256();
    void update(std::span<const std::byte> data);
    void update(std::string_view data);
    std::string hex_digest();  // finalises; the object is then reset for reuse

private:
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

std::string sha256_hex(std::string_view data);

}  // namespace dockd::crypto
