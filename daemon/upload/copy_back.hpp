// A long_term file owed to a target added after its staging copy was purged
// (seed R8: long-term footage on every target) comes back from a target that
// holds it, into a temporary file checked against the recorded SHA-256.
#pragma once

#include <atomic>
#include <filesystem>
#include <string>

#include "daemon/archive/target.hpp"

namespace dockd::upload {

// Removes its file when it goes out of scope.
class TempCopy {
public:
    explicit TempCopy(std::filesystem::path path) : path_(std::move(path)) {}
    ~TempCopy();
    TempCopy(const TempCopy&) = delete;
    TempCopy& operator=(const TempCopy&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

Result<void> copy_back(archive::Target& from, const std::string& key, const std::string& sha256,
                       const std::filesystem::path& dest, const std::atomic<bool>& cancelled);

}  // namespace dockd::upload
