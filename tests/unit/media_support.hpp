// Real media for the probe's tests, made by Debian's ffmpeg in a temp dir.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "daemon/media/prober.hpp"

namespace dockd::media::test {

inline bool have_ffmpeg() {
    return std::system("ffmpeg -version >/dev/null 2>&1") == 0;
}

class MediaDir {
public:
    MediaDir() {
        char tmpl[] = "/tmp/dockd-media-XXXXXX";
        dir_ = mkdtemp(tmpl);
    }
    ~MediaDir() { std::filesystem::remove_all(dir_); }
    std::filesystem::path path(const std::string& name) const { return dir_ / name; }
    // ffmpeg ARGS -> NAME; lavfi sources, so nothing is read from the network.
    std::filesystem::path make(const std::string& name, const std::string& args) const {
        const auto out = path(name);
        const std::string cmd = "ffmpeg -nostdin -loglevel error -y " + args + " '" + out.string() + "'";
        EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
        return out;
    }
    std::filesystem::path write(const std::string& name, const std::string& bytes) const {
        std::ofstream(path(name), std::ios::binary) << bytes;
        return path(name);
    }
    // The first half of a file: a recording cut off mid-write.
    std::filesystem::path half_of(const std::filesystem::path& from, const std::string& name) const {
        std::filesystem::copy_file(from, path(name));
        std::filesystem::resize_file(path(name), std::filesystem::file_size(from) / 2);
        return path(name);
    }

private:
    std::filesystem::path dir_;
};

inline MediaFacts probe(const std::filesystem::path& file,
                        std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    ProbeLimits limits;
    limits.timeout = timeout;
    return probe_file(DOCKD_MEDIA_PROBE, file, limits);
}

inline const char* mp4_args =
    "-f lavfi -i testsrc=size=320x240:rate=25 -f lavfi -i sine=frequency=440 -t 3 -c:v libx264 -preset ultrafast "
    "-c:a aac -metadata creation_time=2026-11-23T18:02:11Z";

}  // namespace dockd::media::test
