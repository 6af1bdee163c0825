// daemon/config: typed values from YAML, and every mistake reported at its line.
#include "daemon/config/config.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "tests/unit/support.hpp"

namespace dockd::config {
namespace {

using namespace std::chrono_literals;

class ConfigTest : public ::testing::Test {
protected:
    void SetUp() override { dir_ = tmp_.path(); }

    std::filesystem::path write(const std::string& name, const std::string& text, mode_t mode = 0600) {
        std::filesystem::path p = dir_ / name;
        std::ofstream(p) << text;
        EXPECT_EQ(::chmod(p.c_str(), mode), 0);
        return p;
    }
    LoadResult parse(const std::string& yaml) { return parse_config(yaml, dir_ / "dockd.yaml"); }

    // The messages of all errors, one per line, for failure output.
    static std::string dump(const LoadResult& r) {
        std::string s;
        for (const auto& e : r.errors) s += e.str() + "\n";
        return s;
    }
    // True when some error is at `line` and its message contains `part`.
    static bool has_error(const LoadResult& r, int line, const std::string& part) {
        for (const auto& e : r.errors)
            if (e.line == line && e.message.find(part) != std::string::npos) return true;
        return false;
    }

    test_support::TempDir tmp_{"config"};
    std::filesystem::path dir_;
};

#define EXPECT_ERROR(result, line, part) EXPECT_TRUE(has_error(result, line, part)) << dump(result)
#define EXPECT_VALID(result) ASSERT_TRUE((result).config.has_value()) << dump(result)

TEST_F(ConfigTest, FullConfigReadsIntoTypedValues) {
    auto creds = write("s3.credentials", "[default]\n");
    auto tokens = write("api.tokens", "t\n");
    auto password = write("zfy.password", "000000\n");
    auto ca = write("ca.pem", "pem\n", 0644);
    auto r = parse(R"(station:
  id: depot-7.north_2
  name: North depot
  data_dir: /srv/dockd
ports:
  - {id: 1, usb_path: "1-1.4"}
  - {id: 2, usb_path: "1-1.4.2"}
drivers:
  - type: ums
    match: [{vid: 0x2207, pid: "0x0010"}, {vid: 4660, pid: 22136}]
    time_file: DCIM/time.txt
    time_format: "%Y%m%d%H%M%S"
  - type: sdk
    library: lib/libzfy.so
    zfy_layout: nul94
    password_file: )" +
                   password.string() + R"(
    call_timeout: 1500ms
  - type: sim
    bays_dir: /tmp/bays
charge: {ready_percent: 80, max_concurrent_charging: 2, power_on_stagger: 1s}
clock: {max_drift: 5s, set_device_clock: false, require_synced_host_clock: true}
ingest:
  verify: none
  wipe_after: archived
  min_free_bytes: 2GiB
  extensions: [MP4, .wav]
  buffer_bytes: 256KiB
  workers: 8
upload:
  targets:
    - url: s3://evidence-bucket/depot7/
      endpoint: https://s3.example.net:9000
      region: eu-west-3
      credentials_file: )" +
                   creds.string() + R"(
      ca_file: )" + ca.string() +
                   R"(
      path_style: false
    - url: file:///srv/archive
  part_size: 16MiB
  concurrency: 3
  bandwidth_limit: 2MB/s
  windows: ["22:00-06:00", "12:00-13:30"]
  retry: {initial: 10s, max: 30m}
retention: {purge_staging_after_archive: false, upload_deadline: 2d}
api: {listen: "[::]:9000", tokens_file: )" +
                   tokens.string() + R"(}
)");
    EXPECT_VALID(r);
    const Config& c = *r.config;
    EXPECT_EQ(c.source, dir_ / "dockd.yaml");
    EXPECT_EQ(c.station.id, "depot-7.north_2");
    EXPECT_EQ(c.station.name, "North depot");
    EXPECT_EQ(c.station.data_dir, "/srv/dockd");
    EXPECT_EQ(c.station.staging_dir, "/srv/dockd/staging");
    ASSERT_EQ(c.ports.size(), 2u);
    EXPECT_EQ(c.ports[1].id, 2);
    EXPECT_EQ(c.ports[1].usb_path, "1-1.4.2");
    EXPECT_EQ(c.ports[1].line, 7);
    ASSERT_EQ(c.drivers.size(), 3u);
    EXPECT_EQ(c.drivers[0].type, DriverType::ums);
    ASSERT_EQ(c.drivers[0].match.size(), 2u);
    EXPECT_EQ(c.drivers[0].match[0].vid, 0x2207);
    EXPECT_EQ(c.drivers[0].match[0].pid, 0x0010);
    EXPECT_EQ(c.drivers[0].match[1].vid, 0x1234);
    EXPECT_EQ(c.drivers[0].match[1].pid, 0x5678);
    EXPECT_EQ(c.drivers[0].time_file, "DCIM/time.txt");
    EXPECT_EQ(c.drivers[0].time_format, "%Y%m%d%H%M%S");
    EXPECT_EQ(c.drivers[1].type, DriverType::sdk);
    EXPECT_EQ(c.drivers[1].library, dir_ / "lib/libzfy.so");
    EXPECT_EQ(c.drivers[1].zfy_layout, ZfyLayout::nul94);
    EXPECT_EQ(c.drivers[1].password_file, password);
    EXPECT_EQ(c.drivers[1].call_timeout, 1500ms);
    EXPECT_EQ(c.drivers[2].type, DriverType::sim);
    EXPECT_EQ(c.drivers[2].bays_dir, "/tmp/bays");
    EXPECT_EQ(c.charge.ready_percent, 80);
    EXPECT_EQ(c.charge.max_concurrent_charging, 2);
    EXPECT_EQ(c.charge.power_on_stagger, 1s);
    EXPECT_EQ(c.clock.max_drift, 5s);
    EXPECT_FALSE(c.clock.set_device_clock);
    EXPECT_TRUE(c.clock.require_synced_host_clock);
    EXPECT_EQ(c.ingest.verify, Verify::none);
    EXPECT_EQ(c.ingest.wipe_after, WipeAfter::archived);
    EXPECT_EQ(c.ingest.min_free_bytes, 2ull << 30);
    EXPECT_EQ(c.ingest.extensions, (std::vector<std::string>{"mp4", "wav"}));
    EXPECT_EQ(c.ingest.buffer_bytes, 256u << 10);
    EXPECT_EQ(c.ingest.workers, 8);
    ASSERT_EQ(c.upload.targets.size(), 2u);
    const TargetConfig& s3 = c.upload.targets[0];
    EXPECT_EQ(s3.kind, TargetKind::s3);
    EXPECT_EQ(s3.bucket, "evidence-bucket");
    EXPECT_EQ(s3.prefix, "depot7");
    EXPECT_EQ(s3.endpoint, "https://s3.example.net:9000");
    EXPECT_EQ(s3.region, "eu-west-3");
    EXPECT_EQ(s3.credentials_file, creds);
    EXPECT_EQ(s3.ca_file, ca);
    EXPECT_FALSE(s3.path_style);
    EXPECT_EQ(c.upload.targets[1].kind, TargetKind::file);
    EXPECT_EQ(c.upload.targets[1].file_root, "/srv/archive");
    EXPECT_EQ(c.upload.part_size, 16u << 20);
    EXPECT_EQ(c.upload.concurrency, 3);
    EXPECT_EQ(c.upload.bandwidth_limit_bytes_per_s, 2'000'000u);
    ASSERT_EQ(c.upload.windows.size(), 2u);
    EXPECT_EQ(c.upload.windows[0].start_minute, 22 * 60);
    EXPECT_EQ(c.upload.windows[0].end_minute, 6 * 60);
    EXPECT_EQ(c.upload.windows[1].end_minute, 13 * 60 + 30);
    EXPECT_EQ(c.upload.retry.initial, 10s);
    EXPECT_EQ(c.upload.retry.max, 30min);
    EXPECT_FALSE(c.retention.purge_staging_after_archive);
    EXPECT_EQ(c.retention.upload_deadline, 48h);
    EXPECT_EQ(c.api.listen_host, "::");
    EXPECT_EQ(c.api.listen_port, 9000);
    EXPECT_EQ(c.api.tokens_file, tokens);
}

TEST_F(ConfigTest, OnlyStationIdTakesEveryDefault) {
    auto r = parse("station: {id: s1}\n");
    EXPECT_VALID(r);
    const Config& c = *r.config;
    EXPECT_EQ(c.station.data_dir, "/var/lib/dockd");
    EXPECT_EQ(c.station.staging_dir, "/var/lib/dockd/staging");
    EXPECT_TRUE(c.ports.empty());
    EXPECT_EQ(c.charge.ready_percent, 90);
    EXPECT_EQ(c.clock.max_drift, 2s);
    EXPECT_EQ(c.ingest.verify, Verify::reread);
    EXPECT_EQ(c.ingest.wipe_after, WipeAfter::never);
    EXPECT_EQ(c.ingest.extensions.size(), 11u);
    EXPECT_EQ(c.upload.part_size, 64u << 20);
    EXPECT_EQ(c.upload.retry.max, 1h);
    EXPECT_EQ(c.retention.upload_deadline, 24h);
    EXPECT_EQ(c.api.listen_host, "127.0.0.1");
    EXPECT_EQ(c.api.listen_port, 8470);
}

TEST_F(ConfigTest, RelativePathsResolveAgainstTheConfigFilesDirectory) {
    auto r = parse_config(R"(station: {id: s1, data_dir: ../var/demo/./data}
drivers: [{type: sim, bays_dir: bays}]
)",
                          dir_ / "config" / "demo.yaml");
    EXPECT_VALID(r);
    EXPECT_EQ(r.config->station.data_dir, dir_ / "var/demo/data");
    EXPECT_EQ(r.config->station.staging_dir, dir_ / "var/demo/data/staging");
    EXPECT_EQ(r.config->drivers[0].bays_dir, dir_ / "config/bays");
}

TEST_F(ConfigTest, UnknownKeysAreReportedAtEveryLevel) {
    auto r = parse(R"(station: {id: s1}
ingest:
  workers: 2
  wrkers: 3
ports:
  - {id: 1, usb_path: "1-1", colour: red}
drivers:
  - type: ums
    match:
      - {vid: 1, pid: 2, serial: x}
upload:
  retry: {initial: 1s, jitter: 2s}
  targets: [{url: "file:///a", bucket: b}]
extra: 1
retention: {long_term_copies: 1}
)");
    EXPECT_EQ(r.errors.size(), 6u) << dump(r);
    EXPECT_ERROR(r, 4, "unknown key 'wrkers' in ingest");
    EXPECT_ERROR(r, 6, "unknown key 'colour' in ports[0]");
    EXPECT_ERROR(r, 10, "unknown key 'serial' in drivers[0].match[0]");
    EXPECT_ERROR(r, 12, "unknown key 'jitter' in upload.retry");
    EXPECT_ERROR(r, 13, "unknown key 'bucket' in upload.targets[0]");
    EXPECT_ERROR(r, 14, "unknown key 'extra' at top level");
}

TEST_F(ConfigTest, WrongTypesNameTheKeyAndWhatWasExpected) {
    auto r = parse(R"(station: {id: s1}
charge:
  ready_percent: abc
clock:
  set_device_clock: maybe
  max_drift: {seconds: 2}
ingest: [workers]
)");
    EXPECT_ERROR(r, 3, "charge.ready_percent: expected an integer, got 'abc'");
    EXPECT_ERROR(r, 5, "clock.set_device_clock: expected true or false, got 'maybe'");
    EXPECT_ERROR(r, 6, "clock.max_drift: expected a duration, got a mapping");
    EXPECT_ERROR(r, 7, "ingest: expected a mapping, got a list");
}

TEST_F(ConfigTest, BadSizeDurationWindowAndEnumQuoteTheText) {
    auto r = parse(R"(station: {id: s1}
ingest:
  min_free_bytes: 12 parsecs
  verify: sha256
upload:
  part_size: 1.5GiB
  windows: ["22:00-06:00", "25:00-06:00"]
retention:
  upload_deadline: 24
)");
    EXPECT_ERROR(r, 3, "ingest.min_free_bytes: bad size '12 parsecs'");
    EXPECT_ERROR(r, 4, "ingest.verify: 'sha256' is not one of reread|none");
    EXPECT_ERROR(r, 6, "upload.part_size: bad size '1.5GiB'");
    EXPECT_ERROR(r, 7, "upload.windows: bad window '25:00-06:00'");
    EXPECT_ERROR(r, 9, "retention.upload_deadline: bad duration '24'");
    EXPECT_EQ(r.errors.size(), 5u) << dump(r);
}

TEST_F(ConfigTest, OutOfRangeValuesAreRejected) {
    auto r = parse(R"(station: {id: s1}
charge: {ready_percent: 101, max_concurrent_charging: 0}
ingest: {workers: 65, buffer_bytes: 1KiB}
upload:
  part_size: 4MiB
  concurrency: 0
  retry:
    initial: 2h
    max: 1h
ports: [{id: 0, usb_path: "1-2"}]
drivers: [{type: ums, match: [{vid: 0x10000, pid: -1}]}]
)");
    EXPECT_ERROR(r, 2, "charge.ready_percent: 101 is out of range 1..100");
    EXPECT_ERROR(r, 2, "charge.max_concurrent_charging: 0 is too small");
    EXPECT_ERROR(r, 3, "ingest.workers: 65 is out of range 1..64");
    EXPECT_ERROR(r, 3, "ingest.buffer_bytes: 1KiB is out of range 4KiB..64MiB");
    EXPECT_ERROR(r, 5, "upload.part_size: 4MiB is out of range 5MiB..");
    EXPECT_ERROR(r, 6, "upload.concurrency: 0 is too small");
    EXPECT_ERROR(r, 8, "upload.retry.initial must not be longer than upload.retry.max");
    EXPECT_ERROR(r, 10, "ports[0].id: 0 is too small");
    EXPECT_ERROR(r, 11, "drivers[0].match[0].vid: '0x10000' is not a USB id");
    EXPECT_ERROR(r, 11, "drivers[0].match[0].pid: '-1' is not a USB id");
    EXPECT_EQ(r.errors.size(), 10u) << dump(r);
}

TEST_F(ConfigTest, DuplicateBayIdIsReportedOnTheDuplicatesLine) {
    auto r = parse(R"(station: {id: s1}
ports:
  - {id: 1, usb_path: "1-1.1"}
  - {id: 2, usb_path: "1-1.2"}
  - {id: 1, usb_path: "1-1.3"}
)");
    ASSERT_EQ(r.errors.size(), 1u) << dump(r);
    EXPECT_ERROR(r, 5, "ports[2].id: duplicate port id 1");
}

TEST_F(ConfigTest, DuplicateUsbPathIsReportedOnTheDuplicatesLine) {
    auto r = parse(R"(station: {id: s1}
ports:
  - id: 1
    usb_path: "1-1.1"
  - id: 2
    usb_path: "1-1.1"
  - {id: 3, usb_path: "usb3"}
)");
    ASSERT_EQ(r.errors.size(), 2u) << dump(r);
    EXPECT_ERROR(r, 6, "ports[1].usb_path: duplicate usb_path 1-1.1");
    EXPECT_ERROR(r, 7, "'usb3' is not a USB port path");
}

TEST_F(ConfigTest, SecretFileReadableByOthersIsRejected) {
    auto tokens = write("tokens", "t\n", 0644);
    auto r = parse("station: {id: s1}\napi:\n  tokens_file: " + tokens.string() + "\n");
    ASSERT_EQ(r.errors.size(), 1u) << dump(r);
    EXPECT_ERROR(r, 3, "secret file " + tokens.string() + " is mode 0644; must be 0600 or stricter");
    EXPECT_EQ(r.errors[0].str(), (dir_ / "dockd.yaml").string() + ":3: api.tokens_file: secret file " +
                                     tokens.string() + " is mode 0644; must be 0600 or stricter");
}

TEST_F(ConfigTest, GroupReadableSecretFileIsRejectedAndOwnerOnlyIsAccepted) {
    auto loose = write("loose", "[default]\n", 0640);
    auto tight = write("tight", "[default]\n", 0400);
    auto r =
        parse("station: {id: s1}\ndrivers:\n  - type: sdk\n    library: /x.so\n    password_file: " + loose.string() +
              "\nupload:\n  targets:\n    - url: s3://bkt\n      endpoint: http://minio:9000\n"
              "      credentials_file: " +
              tight.string() + "\nretention: {long_term_copies: 1}\n");
    ASSERT_EQ(r.errors.size(), 1u) << dump(r);
    EXPECT_ERROR(r, 5, "drivers[0].password_file: secret file " + loose.string() + " is mode 0640");
}

TEST_F(ConfigTest, MissingOrNonRegularSecretFileCannotBeRead) {
    auto r = parse(
        "station: {id: s1}\napi:\n  listen: 0.0.0.0:8470\n  tokens_file: missing.tokens\n"
        "upload:\n  targets:\n    - url: s3://bkt\n      endpoint: https://s3.example\n"
        "      credentials_file: " +
        dir_.string() + "\n      ca_file: no-ca.pem\nretention: {long_term_copies: 1}\n");
    ASSERT_EQ(r.errors.size(), 3u) << dump(r);
    EXPECT_ERROR(r, 4, "cannot read secret file " + (dir_ / "missing.tokens").string() + ": No such file");
    EXPECT_ERROR(r, 9, "secret file " + dir_.string() + " is not a regular file");
    EXPECT_ERROR(r, 10, "upload.targets[0].ca_file: cannot read " + (dir_ / "no-ca.pem").string());
}

TEST_F(ConfigTest, NonLoopbackListenRequiresTokens) {
    auto r = parse("station: {id: s1}\napi:\n  listen: 0.0.0.0:8470\n");
    ASSERT_EQ(r.errors.size(), 1u) << dump(r);
    EXPECT_ERROR(r, 3, "api.listen on a non-loopback address requires api.tokens_file");
    for (const char* loopback : {"127.0.0.1:1", "127.8.9.10:65535", "\"[::1]:8470\"", "localhost:80"}) {
        auto ok = parse(std::string("station: {id: s1}\napi: {listen: ") + loopback + "}\n");
        EXPECT_TRUE(ok.config.has_value()) << loopback << "\n" << dump(ok);
    }
    for (const char* remote : {"\"[::]:8470\"", "dock.lan:8470", "10.0.0.1:8470"}) {
        auto bad = parse(std::string("station: {id: s1}\napi: {listen: ") + remote + "}\n");
        EXPECT_ERROR(bad, 2, "requires api.tokens_file");
    }
    auto port = parse("station: {id: s1}\napi: {listen: \"127.0.0.1:0\"}\n");
    EXPECT_ERROR(port, 2, "port must be 1..65535");
    auto v6 = parse("station: {id: s1}\napi: {listen: \"::1:8470\"}\n");
    EXPECT_ERROR(v6, 2, "IPv6 addresses go in brackets");
}

TEST_F(ConfigTest, StationIdIsRequiredAndMustBeAPathComponent) {
    auto empty = parse("");
    ASSERT_EQ(empty.errors.size(), 1u) << dump(empty);
    EXPECT_ERROR(empty, 1, "missing required key station.id");
    auto no_id = parse("ingest: {workers: 2}\nstation:\n  name: x\n");
    EXPECT_ERROR(no_id, 2, "missing required key station.id");
    auto slash = parse("station:\n  id: a/b\n");
    EXPECT_ERROR(slash, 2, "station.id: 'a/b' may only contain");
    auto blank = parse("station: {id: ''}\n");
    EXPECT_ERROR(blank, 1, "station.id: must not be empty");
}

TEST_F(ConfigTest, YamlSyntaxErrorGivesTheParsersLine) {
    auto r = parse("station: {id: s1}\ningest:\n  workers: 2\n  verify: [reread\n");
    ASSERT_EQ(r.errors.size(), 1u) << dump(r);
    EXPECT_FALSE(r.config);
    EXPECT_GE(r.errors[0].line, 4);
    EXPECT_NE(r.errors[0].message.find("YAML syntax error"), std::string::npos);
    auto tab = parse("station:\n  id: s1\n   name: x\n");
    ASSERT_EQ(tab.errors.size(), 1u) << dump(tab);
    EXPECT_EQ(tab.errors[0].line, 3);
}

TEST_F(ConfigTest, SeveralErrorsAreReportedTogetherInLineOrder) {
    auto r = parse(R"(api: {listen: 0.0.0.0:80}
station: {id: s1}
ingest: {workers: 0}
clock: {max_drift: soon}
)");
    ASSERT_EQ(r.errors.size(), 3u) << dump(r);
    EXPECT_FALSE(r.config);
    EXPECT_EQ(r.errors[0].line, 1);
    EXPECT_EQ(r.errors[1].line, 3);
    EXPECT_EQ(r.errors[2].line, 4);
}

TEST_F(ConfigTest, DriverOptionsMustSuitTheDriverType) {
    auto r = parse(R"(station: {id: s1}
drivers:
  - type: ums
    bays_dir: /tmp/bays
  - type: sim
  - type: sdk
    zfy_layout: packed89
  - type: mtp
  - bays_dir: /x
)");
    EXPECT_ERROR(r, 4, "drivers[0].bays_dir: not an option of a ums driver");
    EXPECT_ERROR(r, 5, "missing required key drivers[1].bays_dir");
    EXPECT_ERROR(r, 6, "missing required key drivers[2].library");
    EXPECT_ERROR(r, 8, "drivers[3].type: 'mtp' is not one of ums|sdk|sim");
    EXPECT_ERROR(r, 9, "missing required key drivers[4].type");
    EXPECT_EQ(r.errors.size(), 5u) << dump(r);
}

TEST_F(ConfigTest, TargetUrlsMustBeFileOrS3WithEndpoint) {
    auto r = parse(R"(station: {id: s1}
upload:
  targets:
    - url: file://relative/path
    - url: http://bucket
    - url: s3://Bad_Bucket
    - url: s3://good-bucket/p
    - url: s3://other-bucket
      endpoint: ftp://x
    - url: file:///srv/a
      region: eu
)");
    EXPECT_ERROR(r, 4, "a file target is file:///absolute/path");
    EXPECT_ERROR(r, 5, "expected file:///absolute/path or s3://bucket[/prefix]");
    EXPECT_ERROR(r, 6, "'Bad_Bucket' is not a valid S3 bucket name");
    EXPECT_ERROR(r, 7, "missing required key upload.targets[3].endpoint");
    EXPECT_ERROR(r, 9, "expected an https:// or http:// URL");
    EXPECT_ERROR(r, 11, "upload.targets[5].region: not an option of a file:// target");
    EXPECT_EQ(r.errors.size(), 6u) << dump(r);
}

TEST_F(ConfigTest, UnreadableConfigFileIsOneErrorAtLineZero) {
    auto r = load_config(dir_ / "nope.yaml");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].str(), (dir_ / "nope.yaml").string() + ":0: cannot read: No such file or directory");
    auto file = write("ok.yaml", "station: {id: s1}\n");
    auto ok = load_config(file);
    EXPECT_VALID(ok);
    EXPECT_EQ(ok.config->source, file);
}

TEST(ReferenceConfig, DockdYamlLoadsWithoutErrors) {
    auto r = load_config(std::filesystem::path(DOCKD_SOURCE_DIR) / "config/dockd.yaml");
    std::string all;
    for (const auto& e : r.errors) all += e.str() + "\n";
    ASSERT_TRUE(r.config.has_value()) << all;
    // The reference documents the defaults: loading it must change nothing.
    Config defaults;
    EXPECT_EQ(r.config->ingest.extensions, defaults.ingest.extensions);
    EXPECT_EQ(r.config->upload.part_size, defaults.upload.part_size);
    EXPECT_EQ(r.config->charge.ready_percent, defaults.charge.ready_percent);
    EXPECT_EQ(r.config->retention.upload_deadline, defaults.retention.upload_deadline);
}

TEST(ParseSize, AcceptsDecimalAndBinaryUnits) {
    EXPECT_EQ(parse_size("123"), 123u);
    EXPECT_EQ(parse_size("0"), 0u);
    EXPECT_EQ(parse_size("16MiB"), 16u << 20);
    EXPECT_EQ(parse_size("4 MiB"), 4u << 20);
    EXPECT_EQ(parse_size("500KB"), 500'000u);
    EXPECT_EQ(parse_size("1GiB"), 1u << 30);
    EXPECT_EQ(parse_size("2TB"), 2'000'000'000'000u);
    EXPECT_EQ(parse_size("7B"), 7u);
    EXPECT_EQ(parse_size("16383PiB"), std::nullopt);
    EXPECT_EQ(parse_size("16mib"), std::nullopt);
    EXPECT_EQ(parse_size("1.5GiB"), std::nullopt);
    EXPECT_EQ(parse_size("-1"), std::nullopt);
    EXPECT_EQ(parse_size(""), std::nullopt);
    EXPECT_EQ(parse_size("MiB"), std::nullopt);
    EXPECT_EQ(parse_size("18446744073709551615"), UINT64_MAX);
    EXPECT_EQ(parse_size("16777216TiB"), std::nullopt);  // 2^64: overflow
}

TEST(ParseDuration, NeedsAUnit) {
    EXPECT_EQ(parse_duration("500ms"), 500ms);
    EXPECT_EQ(parse_duration("90s"), 90s);
    EXPECT_EQ(parse_duration("15m"), 15min);
    EXPECT_EQ(parse_duration("24h"), 24h);
    EXPECT_EQ(parse_duration("2d"), 48h);
    EXPECT_EQ(parse_duration("1h30m"), 90min);
    EXPECT_EQ(parse_duration("0s"), 0ms);
    EXPECT_EQ(parse_duration("90"), std::nullopt);
    EXPECT_EQ(parse_duration("1h30"), std::nullopt);
    EXPECT_EQ(parse_duration("1.5h"), std::nullopt);
    EXPECT_EQ(parse_duration("5w"), std::nullopt);
    EXPECT_EQ(parse_duration(""), std::nullopt);
    EXPECT_EQ(parse_duration("-5s"), std::nullopt);
    EXPECT_EQ(parse_duration("99999999999999999999d"), std::nullopt);
}

TEST(ParseWindow, ReadsHoursAndMinutes) {
    auto w = parse_window("22:00-06:00");
    ASSERT_TRUE(w);
    EXPECT_EQ(w->start_minute, 1320);
    EXPECT_EQ(w->end_minute, 360);
    auto day = parse_window("0:00-24:00");
    ASSERT_TRUE(day);
    EXPECT_EQ(day->end_minute, 1440);
    EXPECT_TRUE(parse_window("09:15 - 17:45"));
    EXPECT_FALSE(parse_window("24:00-06:00"));
    EXPECT_FALSE(parse_window("10:60-11:00"));
    EXPECT_FALSE(parse_window("10:00-10:00"));
    EXPECT_FALSE(parse_window("10-11"));
    EXPECT_FALSE(parse_window("10:00"));
    EXPECT_FALSE(parse_window("1:5-2:00"));
}

TEST(WindowContains, SpansMidnightAndTreatsEmptyAsAlwaysOpen) {
    EXPECT_TRUE(window_contains({}, 0));
    EXPECT_TRUE(window_contains({}, 1439));
    std::vector<TimeWindow> night{*parse_window("22:00-06:00")};
    EXPECT_TRUE(window_contains(night, 22 * 60));
    EXPECT_TRUE(window_contains(night, 23 * 60 + 59));
    EXPECT_TRUE(window_contains(night, 0));
    EXPECT_TRUE(window_contains(night, 6 * 60 - 1));
    EXPECT_FALSE(window_contains(night, 6 * 60));  // end is exclusive
    EXPECT_FALSE(window_contains(night, 12 * 60));
    EXPECT_FALSE(window_contains(night, 22 * 60 - 1));
    std::vector<TimeWindow> two{*parse_window("01:00-02:00"), *parse_window("12:00-13:00")};
    EXPECT_TRUE(window_contains(two, 12 * 60 + 30));
    EXPECT_FALSE(window_contains(two, 3 * 60));
}

TEST(ToString, NamesMatchTheConfigSpelling) {
    EXPECT_STREQ(to_string(DriverType::sdk), "sdk");
    EXPECT_STREQ(to_string(Verify::reread), "reread");
    EXPECT_STREQ(to_string(WipeAfter::archived), "archived");
}

}  // namespace
}  // namespace dockd::config
