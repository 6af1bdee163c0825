#include "daemon/archive/s3/sigv4.hpp"

#include <openssl/hmac.h>

#include <array>
#include <ctime>

#include "daemon/common/hex.hpp"
#include "daemon/crypto/sha256.hpp"

namespace dockd::archive::s3 {
namespace {

std::string hmac(std::string_view key, std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
         data.size(), out.data(), &len);
    return std::string(reinterpret_cast<const char*>(out.data()), len);
}

std::string trim(const std::string& v) {
    const auto b = v.find_first_not_of(" \t");
    if (b == std::string::npos) return {};
    const auto e = v.find_last_not_of(" \t");
    return v.substr(b, e - b + 1);
}

}  // namespace

std::string uri_encode(std::string_view s, bool keep_slash) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            c == '_' || c == '~' || (keep_slash && c == '/')) {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(digits[c >> 4]);
            out.push_back(digits[c & 15]);
        }
    }
    return out;
}

std::string canonical_query(const std::map<std::string, std::string>& query) {
    std::map<std::string, std::string> encoded;
    for (const auto& [k, v] : query) encoded[uri_encode(k, false)] = uri_encode(v, false);
    std::string out;
    for (const auto& [k, v] : encoded) {
        if (!out.empty()) out += '&';
        out += k + "=" + v;
    }
    return out;
}

std::string amz_date(SystemTime at) {
    const std::time_t t = std::chrono::system_clock::to_time_t(at);
    std::tm utc{};
    gmtime_r(&t, &utc);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &utc);
    return buf;
}

std::string canonical_request(const SignedRequest& req) {
    std::string headers, names;
    for (const auto& [k, v] : req.headers) {  // std::map: already sorted by lower-case name
        headers += k + ":" + trim(v) + "\n";
        names += (names.empty() ? "" : ";") + k;
    }
    return req.method + "\n" + req.canonical_uri + "\n" + canonical_query(req.query) + "\n" + headers + "\n" + names +
           "\n" + req.payload_sha256_hex;
}

std::string sign(SignedRequest& req, const Credentials& creds, const std::string& region, SystemTime at) {
    const std::string date_time = amz_date(at);
    const std::string date = date_time.substr(0, 8);
    req.headers["x-amz-date"] = date_time;
    req.headers["x-amz-content-sha256"] = req.payload_sha256_hex;
    if (!creds.session_token.empty()) req.headers["x-amz-security-token"] = creds.session_token;
    const std::string scope = date + "/" + region + "/s3/aws4_request";
    const std::string to_sign =
        "AWS4-HMAC-SHA256\n" + date_time + "\n" + scope + "\n" + crypto::sha256_hex(canonical_request(req));
    std::string key = hmac("AWS4" + creds.secret_access_key, date);
    key = hmac(key, region);
    key = hmac(key, "s3");
    key = hmac(key, "aws4_request");
    const std::string sig = hmac(key, to_sign);
    std::string names;
    for (const auto& [k, v] : req.headers) names += (names.empty() ? "" : ";") + k;
    return "AWS4-HMAC-SHA256 Credential=" + creds.access_key_id + "/" + scope + ",SignedHeaders=" + names +
           ",Signature=" + to_hex(std::string_view(sig));
}

}  // namespace dockd::archive::s3
