#pragma once

#include "daemon/archive/target.hpp"

namespace dockd::archive {

// A directory tree as archive (a mounted NAS, a second disk). Objects are
// written under a temp name, fsynced, then link(2)ed into place, which like
// O_EXCL never replaces an existing name; then re-read and hashed.
class FileTarget final : public Target {
public:
    FileTarget(std::string url, std::filesystem::path root) : url_(std::move(url)), root_(std::move(root)) {}
    const std::string& url() const override { return url_; }
    Result<void> put_file(const std::string& key, const std::filesystem::path& source, const ObjectInfo& info,
                          const std::atomic<bool>& cancelled) override;
    Result<void> put_bytes(const std::string& key, std::string_view content) override;

private:
    template <class Fill>
    Result<void> put(const std::string& key, const ObjectInfo& info, Fill&& fill);
    std::string url_;
    std::filesystem::path root_;
};

}  // namespace dockd::archive
