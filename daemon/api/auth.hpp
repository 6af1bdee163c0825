// Who is calling: bearer tokens from api.tokens_file, each with a role.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "daemon/common/result.hpp"

namespace dockd::api {

// viewer reads status; manager also acts (power, assign, retain, annotate)
// and reads what the regulations guard (ledger, access register, exports).
enum class Role { viewer, manager };
const char* to_string(Role r);

struct Caller {
    std::string name;  // identity written to the access register
    Role role = Role::viewer;
};

struct TokenEntry {
    std::string token, name;
    Role role = Role::viewer;
};

// Tokens file lines: "TOKEN ROLE NAME" (ROLE viewer|manager, default viewer;
// NAME defaults to "token-LINE"); blank lines and '#' comments are skipped.
Result<std::vector<TokenEntry>> parse_tokens(const std::string& text, const std::string& path);
Result<std::vector<TokenEntry>> load_tokens(const std::string& path);

// No tokens configured: the station listens on loopback only (config refuses
// anything else) and every caller there is the local manager.
std::optional<Caller> authenticate(const std::vector<TokenEntry>& tokens, const std::string& bearer);

}  // namespace dockd::api
