#pragma once

#include "daemon/archive/target.hpp"

namespace dockd::archive {

// A directory tree as archive (a mounted NAS, a second disk). Objects are
// written under a temp name, fsynced, then link(2)ed into place, which like
// O_EXCL never replaces an existing name; then re-read and hashed. Temp
// files live in <root>/.incoming/<station_id>/, swept by recover().
class FileTarget final : public Target {
public:
    FileTarget(std::string url, std::filesystem::path root, const std::string& station_id)
        : url_(std::move(url)), root_(std::move(root)), incoming_(root_ / ".incoming" / station_id) {}
    const std::string& url() const override { return url_; }
    Result<void> put_file(const std::string& key, const std::filesystem::path& source, const ObjectInfo& info,
                          const std::atomic<bool>& cancelled) override;
    Result<void> put_bytes(const std::string& key, std::string_view content) override;
    Result<void> recover() override;
    Result<std::optional<ObjectStat>> stat(const std::string& key) override;
    Result<void> read(const std::string& key, const ChunkSink& sink, const std::atomic<bool>& cancelled) override;
    Result<void> list(const std::string& prefix, const ObjectVisitor& each) override;

private:
    template <class Fill>
    Result<void> put(const std::string& key, const ObjectInfo& info, Fill&& fill);
    std::string url_;
    std::filesystem::path root_;
    std::filesystem::path incoming_;
};

}  // namespace dockd::archive
