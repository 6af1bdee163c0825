#include "daemon/archive/s3/credentials.hpp"

#include <sstream>

#include "daemon/common/fs.hpp"

namespace dockd::archive::s3 {
namespace {

std::string trim(const std::string& v) {
    const auto b = v.find_first_not_of(" \t\r");
    if (b == std::string::npos) return {};
    return v.substr(b, v.find_last_not_of(" \t\r") - b + 1);
}

}  // namespace

Result<Credentials> parse_credentials(const std::string& text, const std::string& where, const std::string& profile) {
    Credentials c;
    std::istringstream in(text);
    std::string line, section;
    bool seen = false;
    for (int n = 1; std::getline(in, line); ++n) {
        line = trim(line);
        if (line.empty() || line[0] == '#' || line[0] == ';') continue;
        if (line.front() == '[' && line.back() == ']') {
            section = trim(line.substr(1, line.size() - 2));
            seen = seen || section == profile;
            continue;
        }
        if (section != profile) continue;
        const auto eq = line.find('=');
        if (eq == std::string::npos) return Error{where + ":" + std::to_string(n) + ": expected name = value"};
        const std::string name = trim(line.substr(0, eq)), value = trim(line.substr(eq + 1));
        if (name == "aws_access_key_id")
            c.access_key_id = value;
        else if (name == "aws_secret_access_key")
            c.secret_access_key = value;
        else if (name == "aws_session_token")
            c.session_token = value;
    }
    if (!seen) return Error{where + ": no [" + profile + "] section"};
    if (c.access_key_id.empty() || c.secret_access_key.empty())
        return Error{where + ": [" + profile + "] needs aws_access_key_id and aws_secret_access_key"};
    return c;
}

Result<Credentials> load_credentials(const std::filesystem::path& file, const std::string& profile) {
    auto text = read_file(file);
    if (!text) return text.error();
    return parse_credentials(*text, file.string(), profile);
}

std::string redact(std::string text, const Credentials& creds) {
    for (const std::string* secret : {&creds.secret_access_key, &creds.session_token}) {
        if (secret->empty()) continue;
        for (auto pos = text.find(*secret); pos != std::string::npos; pos = text.find(*secret, pos))
            text.replace(pos, secret->size(), "[redacted]");
    }
    return text;
}

}  // namespace dockd::archive::s3
