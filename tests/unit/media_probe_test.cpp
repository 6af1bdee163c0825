// The probe's answer parsing, and the real helper on real media made here.
#include <gtest/gtest.h>

#include <random>

#include "daemon/media/probe_output.hpp"
#include "tests/unit/media_support.hpp"

namespace dockd::media {
namespace {

using test::MediaDir;

TEST(MediaAnswer, FullAnswerParsesEveryFact) {
    auto f = parse_facts(
        "container=mp4\nduration_ms=4000\nvideo_codec=h264\nwidth=320\nheight=240\naudio_codec=aac\n"
        "created_at=2026-11-23T18:02:11Z\nintegrity=ok\n");
    EXPECT_EQ(f.integrity, "ok");
    EXPECT_EQ(f.container, "mp4");
    EXPECT_EQ(f.duration_ms, 4000);
    EXPECT_EQ(f.video_codec, "h264");
    EXPECT_EQ(f.width, 320);
    EXPECT_EQ(f.height, 240);
    EXPECT_EQ(f.audio_codec, "aac");
    EXPECT_EQ(f.created_at, "2026-11-23T18:02:11Z");
}

TEST(MediaAnswer, AnswerCutBeforeIntegrityIsUnreadable) {
    auto f = parse_facts("container=mp4\nduration_ms=4000\nintegr");
    EXPECT_EQ(f.integrity, "unreadable");
    EXPECT_FALSE(f.container) << "nothing of a cut answer is believed";
    EXPECT_NE(f.detail.find("no answer"), std::string::npos);
}

TEST(MediaAnswer, UnknownIntegrityOrBadNumbersAreNotGuessed) {
    EXPECT_EQ(parse_facts("integrity=fine\n").integrity, "unreadable");
    auto f = parse_facts("duration_ms=12ms\nwidth=-5\nheight=\nintegrity=truncated\n");
    EXPECT_EQ(f.integrity, "truncated");
    EXPECT_FALSE(f.duration_ms);
    EXPECT_FALSE(f.width);
    EXPECT_FALSE(f.height);
}

TEST(MediaAnswer, FormatThenParseRoundTripsAndDropsControlBytes) {
    MediaFacts in;
    in.container = "mp4";
    in.video_codec = std::string("h26\n4");
    in.integrity = "truncated";
    in.detail = "index needs 9 bytes";
    auto out = parse_facts(format_facts(in));
    EXPECT_EQ(out.integrity, "truncated");
    EXPECT_EQ(out.video_codec, "h264");
    EXPECT_EQ(out.detail, "index needs 9 bytes");
    EXPECT_FALSE(out.duration_ms);
}

class MediaProbe : public ::testing::Test {
protected:
    void SetUp() override {
        if (!test::have_ffmpeg()) GTEST_SKIP() << "ffmpeg (Debian package ffmpeg) is needed to make test media";
    }
    MediaDir dir;
};

TEST_F(MediaProbe, ValidMp4IsOkWithEveryFact) {
    auto f = test::probe(dir.make("a.mp4", test::mp4_args));
    EXPECT_EQ(f.integrity, "ok") << f.detail;
    EXPECT_EQ(f.container, "mp4");
    EXPECT_EQ(f.duration_ms, 3000);
    EXPECT_EQ(f.video_codec, "h264");
    EXPECT_EQ(f.width, 320);
    EXPECT_EQ(f.height, 240);
    EXPECT_EQ(f.audio_codec, "aac");
    EXPECT_EQ(f.created_at, "2026-11-23T18:02:11Z");
}

TEST_F(MediaProbe, Mp4CutInHalfIsTruncated) {
    auto f = test::probe(dir.half_of(dir.make("a.mp4", test::mp4_args), "cut.mp4"));
    EXPECT_EQ(f.integrity, "truncated");
    EXPECT_NE(f.detail.find("moov"), std::string::npos) << f.detail;
}

TEST_F(MediaProbe, FastStartMp4CutInHalfIsTruncatedByItsIndex) {
    auto whole = dir.make("fs.mp4", std::string(test::mp4_args) + " -movflags +faststart");
    auto f = test::probe(dir.half_of(whole, "cut.mp4"));
    EXPECT_EQ(f.integrity, "truncated");
    EXPECT_EQ(f.duration_ms, 3000) << "the declared duration is still read";
    EXPECT_NE(f.detail.find("index needs"), std::string::npos) << f.detail;
}

TEST_F(MediaProbe, WavIsOkAndCutWavIsTruncated) {
    auto wav = dir.make("a.wav", "-f lavfi -i sine=frequency=440 -t 2");
    auto f = test::probe(wav);
    EXPECT_EQ(f.integrity, "ok") << f.detail;
    EXPECT_EQ(f.container, "wav");
    EXPECT_EQ(f.duration_ms, 2000);
    EXPECT_EQ(f.audio_codec, "pcm_s16le");
    EXPECT_FALSE(f.video_codec);
    EXPECT_EQ(test::probe(dir.half_of(wav, "cut.wav")).integrity, "truncated");
}

TEST_F(MediaProbe, JpegIsAPictureWithoutDuration) {
    auto f = test::probe(dir.make("p.jpg", "-f lavfi -i testsrc=size=64x48 -frames:v 1"));
    EXPECT_EQ(f.integrity, "ok") << f.detail;
    EXPECT_EQ(f.video_codec, "mjpeg");
    EXPECT_EQ(f.width, 64);
    EXPECT_FALSE(f.duration_ms) << "a photo has no duration: null, not 0";
}

TEST_F(MediaProbe, RandomBytesNamedMp4AndEmptyFilesAreNotMedia) {
    std::mt19937 rng(14);
    std::string bytes(256 << 10, '\0');
    for (auto& c : bytes) c = static_cast<char>(rng());
    EXPECT_EQ(test::probe(dir.write("noise.mp4", bytes)).integrity, "not_media");
    EXPECT_EQ(test::probe(dir.write("empty.mp4", "")).integrity, "not_media");
    EXPECT_EQ(test::probe(dir.write("text.mp4", "just a note, not a recording\n")).integrity, "not_media");
}

TEST_F(MediaProbe, MissingHelperIsUnreadableNotACrash) {
    ProbeLimits limits;
    auto f = probe_file("/nonexistent/dockd-media-probe", dir.make("a.wav", "-f lavfi -i sine -t 1"), limits);
    EXPECT_EQ(f.integrity, "unreadable");
    EXPECT_FALSE(f.detail.empty());
}

}  // namespace
}  // namespace dockd::media
