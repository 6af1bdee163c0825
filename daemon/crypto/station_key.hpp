// The station's Ed25519 identity: signs manifests so the central archive can
// check custody claims with stock tools (DESIGN §7, §8).
#pragma once

#include <openssl/evp.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "daemon/common/result.hpp"

namespace dockd::crypto {

class StationKey {
public:
    // Loads <path>, or creates it (mode 0600, fsynced) when it does not exist.
    static Result<StationKey> load_or_create(const std::filesystem::path& path);

    std::string sign(std::string_view message) const;  // raw 64-byte signature
    std::string public_pem() const;

private:
    explicit StationKey(EVP_PKEY* key) : key_(key, &EVP_PKEY_free) {}
    std::shared_ptr<EVP_PKEY> key_;
};

}  // namespace dockd::crypto
