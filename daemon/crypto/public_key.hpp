// An Ed25519 public key as archive operators hold it (PEM, DESIGN §11 keys/):
// checks the raw 64-byte signatures stations put beside manifests, segments
// and amendments, exactly as `openssl pkeyutl -verify -rawin` does.
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>

#include "daemon/common/result.hpp"

namespace dockd::crypto {

class PublicKey {
public:
    static Result<PublicKey> from_pem(std::string_view pem);
    bool verify(std::string_view message, std::string_view signature) const;
    // The canonical PEM (re-encoded), so two spellings of one key compare equal.
    std::string pem() const;

private:
    explicit PublicKey(EVP_PKEY* key) : key_(key, &EVP_PKEY_free) {}
    std::shared_ptr<EVP_PKEY> key_;
};

}  // namespace dockd::crypto
