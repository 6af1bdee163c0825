// Media facts (issue 14, DESIGN §13): what the sandboxed probe read in each
// staged copy, and the queries that wait for it.
#include "daemon/common/time.hpp"
#include "daemon/custody/store.hpp"

namespace dockd::custody {
namespace {

boost::json::value json_opt(const std::optional<std::string>& v) {
    return v ? boost::json::value(*v) : boost::json::value(nullptr);
}
boost::json::value json_opt(const std::optional<std::int64_t>& v) {
    return v ? boost::json::value(*v) : boost::json::value(nullptr);
}

}  // namespace

std::vector<ProbeDue> Store::files_to_probe(int limit) {
    std::lock_guard lock(mutex_);
    std::vector<ProbeDue> out;
    auto st = db_.prepare(
        "SELECT id, serial, device_path, staging_name FROM files INDEXED BY files_unprobed WHERE media_probed_at IS "
        "NULL "
        "AND " DOCKD_SQL_COUNTED("files") " AND purged_at IS NULL AND staging_name IS NOT NULL ORDER BY id LIMIT ?");
    st.bind(1, limit);
    while (st.step()) out.push_back({st.int64(0), st.text(1), st.text(2), st.text(3)});
    return out;
}

void Store::record_media(std::int64_t file_id, const media::MediaFacts& m) {
    record_media({{file_id, m}});
}

void Store::record_media(const std::vector<std::pair<std::int64_t, media::MediaFacts>>& probed) {
    std::lock_guard lock(mutex_);
    Transaction tx(db_);
    for (const auto& [file_id, m] : probed) record_media_locked(file_id, m);
    tx.commit();
}

void Store::record_media_locked(std::int64_t file_id, const media::MediaFacts& m) {
    const std::string at = rfc3339(std::chrono::system_clock::now());
    const auto detail = m.detail.empty() ? std::nullopt : std::optional<std::string>(m.detail);
    db_.prepare(
           "UPDATE files SET media_integrity=?, media_container=?, media_duration_ms=?, media_video_codec=?, "
           "media_width=?, media_height=?, media_audio_codec=?, media_created_at=?, media_detail=?, "
           "media_probed_at=? WHERE id=?")
        .bind(1, m.integrity)
        .bind(2, m.container)
        .bind(3, m.duration_ms)
        .bind(4, m.video_codec)
        .bind(5, m.width)
        .bind(6, m.height)
        .bind(7, m.audio_codec)
        .bind(8, m.created_at)
        .bind(9, detail)
        .bind(10, at)
        .bind(11, file_id)
        .run();
    auto docking = db_.prepare("SELECT docking_id, sha256 FROM files WHERE id=?");
    docking.bind(1, file_id);
    const bool found = docking.step();
    append_locked("media_probed", {{"file", file_id},
                                   {"docking", found ? boost::json::value(docking.text(0)) : nullptr},
                                   {"sha256", found ? json_opt(docking.opt_text(1)) : nullptr},
                                   {"integrity", m.integrity},
                                   {"container", json_opt(m.container)},
                                   {"duration_ms", json_opt(m.duration_ms)},
                                   {"detail", json_opt(detail)}});
}

int Store::media_unprobed(const std::string& docking_id) {
    std::lock_guard lock(mutex_);
    auto st =
        db_.prepare("SELECT COUNT(*) FROM files WHERE docking_id=? AND media_probed_at IS NULL AND " DOCKD_SQL_COUNTED(
            "files") " "
                     "AND purged_at IS NULL");
    st.bind(1, docking_id);
    st.step();
    return static_cast<int>(st.int64(0));
}

std::vector<std::string> Store::truncated_files(const std::string& docking_id) {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    auto st =
        db_.prepare("SELECT device_path FROM files WHERE docking_id=? AND media_integrity='truncated' ORDER BY id");
    st.bind(1, docking_id);
    while (st.step()) out.push_back(st.text(0));
    return out;
}

std::vector<TruncatedRecording> Store::truncated_since(const std::string& since_rfc3339) {
    std::lock_guard lock(mutex_);
    std::vector<TruncatedRecording> out;
    auto st = db_.prepare(
        "SELECT d.id, d.serial, f.device_path, d.docked_at, d.battery_in FROM files f INDEXED BY files_truncated "
        "JOIN dockings d ON d.id=f.docking_id WHERE f.media_integrity='truncated' AND d.docked_at >= ? "
        "ORDER BY f.id LIMIT 100");  // read with every status: the partial index keeps it small
    st.bind(1, since_rfc3339);
    while (st.step()) out.push_back({st.text(0), st.text(1), st.text(2), st.text(3), st.opt_int64(4)});
    return out;
}

}  // namespace dockd::custody
