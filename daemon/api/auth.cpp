#include "daemon/api/auth.hpp"

#include <openssl/crypto.h>

#include <sstream>

#include "daemon/common/fs.hpp"
#include "daemon/common/utf8.hpp"

namespace dockd::api {

const char* to_string(Role r) {
    return r == Role::manager ? "manager" : "viewer";
}

Result<std::vector<TokenEntry>> parse_tokens(const std::string& text, const std::string& path) {
    std::vector<TokenEntry> out;
    std::istringstream in(text);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
        std::istringstream words(line);
        TokenEntry e;
        std::string role;
        if (!(words >> e.token) || e.token[0] == '#') continue;
        if (e.token.size() < 16) return Error{path + ":" + std::to_string(n) + ": token shorter than 16 characters"};
        if (words >> role) {
            if (role == "manager")
                e.role = Role::manager;
            else if (role != "viewer")
                return Error{path + ":" + std::to_string(n) + ": role must be viewer or manager, not '" + role + "'"};
        }
        std::getline(words >> std::ws, e.name);
        // The name is what the access register records and the API shows.
        if (utf8_invalid_at(e.name) != std::string::npos)
            return Error{path + ":" + std::to_string(n) + ": the name is not valid UTF-8"};
        if (e.name.empty()) e.name = "token-" + std::to_string(n);
        out.push_back(std::move(e));
    }
    if (out.empty()) return Error{path + ": no tokens"};
    return out;
}

Result<std::vector<TokenEntry>> load_tokens(const std::string& path) {
    auto text = read_file(path);
    if (!text) return text.error();
    return parse_tokens(*text, path);
}

std::optional<Caller> authenticate(const std::vector<TokenEntry>& tokens, const std::string& bearer) {
    if (tokens.empty()) return Caller{"loopback", Role::manager};
    std::optional<Caller> found;
    // Compare every entry in constant time so timing does not reveal a prefix.
    for (const auto& t : tokens)
        if (t.token.size() == bearer.size() && CRYPTO_memcmp(t.token.data(), bearer.data(), bearer.size()) == 0)
            found = Caller{t.name, t.role};
    return found;
}

}  // namespace dockd::api
