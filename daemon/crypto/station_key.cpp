#include "daemon/crypto/station_key.hpp"

#include <fcntl.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>

#include "daemon/common/fs.hpp"

namespace dockd::crypto {
namespace {

using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace

Result<StationKey> StationKey::load_or_create(const std::filesystem::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        if (errno != ENOENT) return sys_error("stat " + path.string());
        EVP_PKEY* key = nullptr;
        EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr);
        if (!ctx || EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_keygen(ctx, &key) != 1) {
            EVP_PKEY_CTX_free(ctx);
            return Error{"OpenSSL: Ed25519 key generation failed"};
        }
        EVP_PKEY_CTX_free(ctx);
        StationKey created(key);
        Bio bio(BIO_new(BIO_s_mem()), &BIO_free);
        PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
        if (auto r = write_file_atomic(path, bio_text(bio.get()), 0600); !r) return r.error();
        return created;
    }
    if ((st.st_mode & 077) != 0) return Error{path.string() + ": station key is group/world accessible; must be 0600"};
    std::string pem;
    if (auto r = read_file(path); !r)
        return r.error();
    else
        pem = std::move(*r);
    Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
    EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
    if (!key || EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
        EVP_PKEY_free(key);
        return Error{path.string() + ": not an Ed25519 private key in PEM"};
    }
    return StationKey(key);
}

std::string StationKey::sign(std::string_view message) const {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    std::string sig(64, '\0');
    std::size_t len = sig.size();
    // Ed25519 is "pure": no digest, one-shot over the whole message (openssl -rawin).
    if (EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1 ||
        EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1)
        throw std::runtime_error("OpenSSL: Ed25519 signing failed");
    sig.resize(len);
    return sig;
}

std::string StationKey::public_pem() const {
    Bio bio(BIO_new(BIO_s_mem()), &BIO_free);
    PEM_write_bio_PUBKEY(bio.get(), key_.get());
    return bio_text(bio.get());
}

}  // namespace dockd::crypto
