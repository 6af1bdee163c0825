// S3 keys from an AWS shared-credentials file ([default] aws_access_key_id /
// aws_secret_access_key / optional aws_session_token), the format every S3
// tool reads. Config has already checked the file is 0600 or stricter; a
// systemd credential ($CREDENTIALS_DIRECTORY/<name>) is read the same way.
#pragma once

#include <filesystem>

#include "daemon/archive/s3/sigv4.hpp"
#include "daemon/common/result.hpp"

namespace dockd::archive::s3 {

// Never puts a secret in an error message.
Result<Credentials> load_credentials(const std::filesystem::path& file, const std::string& profile = "default");
Result<Credentials> parse_credentials(const std::string& text, const std::string& where,
                                      const std::string& profile = "default");

// Replaces every occurrence of the secret (and the session token) by "[redacted]".
std::string redact(std::string text, const Credentials& creds);

}  // namespace dockd::archive::s3
