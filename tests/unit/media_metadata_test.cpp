// Media facts travel as S3 user metadata (issue 14), within S3's 2 KiB.
#include <gtest/gtest.h>

#include <map>

#include "daemon/upload/object_metadata.hpp"
#include "tests/unit/support.hpp"

namespace dockd::upload {
namespace {

TEST(MediaMetadata, ProbedFactsAreObjectMetadataWithinTheLimit) {
    test_support::TempDir tmp{"media-meta"};
    auto store = custody::Store::open(tmp.path() / "custody.db");
    ASSERT_TRUE(store.ok()) << store.error().message;
    auto& s = **store;
    const auto docking = s.open_docking(1, {"ZFY0001", "Sim", "S1", "1.0"}, std::nullopt).id;
    custody::StagedFile f;
    f.docking_id = docking;
    f.serial = "ZFY0001";
    f.device_path = "DCIM/" + std::string(300, 'x') + ".mp4";  // cut to fit, as before
    f.size = 10;
    f.sha256 = std::string(64, 'b');
    f.staging_name = docking + "/1";
    f.object_key = "media/x.mp4";
    f.ingested_at = "2026-11-23T18:05:00.000Z";
    const auto id = s.commit_staged(f, {"file:///srv/archive"});
    for (const auto& [name, value] : object_metadata(s, "ST01", config::RetentionConfig{}, id))
        EXPECT_FALSE(name.starts_with("media-")) << name;

    media::MediaFacts m;
    m.integrity = "truncated";
    m.container = "mp4";
    m.duration_ms = 4000;
    m.video_codec = "h264";
    m.width = 1280;
    m.height = 720;
    m.audio_codec = "aac";
    m.created_at = "2026-11-23T18:02:11Z";
    s.record_media(id, m);
    std::map<std::string, std::string> meta;
    std::size_t bytes = 0;
    for (const auto& [name, value] : object_metadata(s, "ST01", config::RetentionConfig{}, id)) {
        meta[name] = value;
        bytes += name.size() + value.size();
    }
    EXPECT_EQ(meta["media-integrity"], "truncated");
    EXPECT_EQ(meta["media-container"], "mp4");
    EXPECT_EQ(meta["media-duration-ms"], "4000");
    EXPECT_EQ(meta["media-video"], "h264%201280x720");
    EXPECT_EQ(meta["media-audio"], "aac");
    EXPECT_EQ(meta["media-created-at"], "2026-11-23T18%3A02%3A11Z");
    EXPECT_LE(bytes, 2048u) << "S3 user metadata limit";
}

}  // namespace
}  // namespace dockd::upload
