// The configuration file as hostile input (issue 12): only a regular file of
// bounded size, one YAML document, UTF-8 text; anything else is refused at
// once with FILE:LINE, never read forever, blocked on or half-ignored.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <future>

#include "daemon/config/config.hpp"
#include "tests/unit/support.hpp"

namespace dockd::config {
namespace {

using namespace std::chrono_literals;

class ConfigFile : public ::testing::Test {
protected:
    std::filesystem::path write(const std::string& name, const std::string& text) {
        const auto p = tmp_.path() / name;
        std::ofstream(p, std::ios::binary) << text;
        return p;
    }
    static std::string only_error(const LoadResult& r) {
        EXPECT_FALSE(r.config.has_value());
        EXPECT_EQ(r.errors.size(), 1u);
        return r.errors.empty() ? "" : r.errors[0].str();
    }
    // load_config on another thread, failing the test instead of hanging it.
    static LoadResult load_within(const std::filesystem::path& file, std::chrono::seconds limit) {
        auto done = std::async(std::launch::async, [file] { return load_config(file); });
        if (done.wait_for(limit) != std::future_status::ready) {
            ADD_FAILURE() << "load_config(" << file << ") still running after " << limit.count() << " s";
            std::_Exit(1);  // the thread is stuck in read(2); nothing else can end it
        }
        return done.get();
    }
    test_support::TempDir tmp_{"config-file"};
};

TEST_F(ConfigFile, EndlessCharacterDeviceIsRefusedAtOnce) {
    const auto r = load_within("/dev/zero", 5s);
    EXPECT_EQ(only_error(r),
              "/dev/zero:0: not a regular file (a character device); the configuration must be a "
              "regular file");
}

TEST_F(ConfigFile, FifoIsRefusedWithoutWaitingForAWriter) {
    const auto fifo = tmp_.path() / "dockd.yaml";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const auto r = load_within(fifo, 5s);
    EXPECT_NE(only_error(r).find(":0: not a regular file (a FIFO)"), std::string::npos) << only_error(r);
}

TEST_F(ConfigFile, DirectoryIsRefused) {
    EXPECT_NE(only_error(load_config(tmp_.path())).find("not a regular file (a directory)"), std::string::npos);
}

TEST_F(ConfigFile, LargerThanOneMebibyteIsRefused) {
    const std::string comment = "# " + std::string(1000, 'x') + "\n";
    std::string text = "station: {id: s1}\n";
    while (text.size() <= max_config_bytes) text += comment;
    const auto file = write("big.yaml", text);
    EXPECT_EQ(only_error(load_config(file)), file.string() + ":0: larger than 1 MiB, the limit");
    text.resize(max_config_bytes - 100);
    text = text.substr(0, text.rfind('\n') + 1);
    EXPECT_TRUE(load_config(write("fits.yaml", text)).config.has_value());
}

TEST_F(ConfigFile, SecondDocumentIsAnErrorAtItsMarker) {
    auto r = parse_config("station: {id: s1}\n---\nstation: {id: s2}\n", "/etc/dockd/dockd.yaml");
    EXPECT_NE(only_error(r).find("/etc/dockd/dockd.yaml:2: a second YAML document"), std::string::npos)
        << only_error(r);
    r = parse_config("station: {id: s1}\n# end\n---\n", "d.yaml");
    EXPECT_NE(only_error(r).find("d.yaml:3: a second YAML document"), std::string::npos) << only_error(r);
    r = parse_config("station: {id: s1}\n...\nstation: {id: s2}\n", "d.yaml");
    EXPECT_NE(only_error(r).find("d.yaml:3: a second YAML document"), std::string::npos) << only_error(r);
    // One document introduced by its marker is fine.
    EXPECT_TRUE(parse_config("---\nstation: {id: s1}\n", "d.yaml").config.has_value());
}

// yaml-cpp 0.7.0's LoadAll never returns on a ',' where block context allows
// none (fuzz_config): each is a syntax error at its line, within a deadline here.
// The ',' the parser stops at is named; yaml-cpp names the others itself.
TEST_F(ConfigFile, FlowEntryWhereBlockContextAllowsNoneIsRefusedNotHung) {
    const std::pair<std::string, int> cases[] = {{",\n", 1},
                                                 {"  , a: \"b\"}\n", 1},
                                                 {"# comment\n\n,x\n", 3},
                                                 {"---\n, a\n", 2},
                                                 {"--- , a\n", 1},
                                                 {"station: {id: s1}\n...\n,\n", 3},
                                                 {"!:,\n", 1},
                                                 {"!2,\n", 1},
                                                 {"a: &x, b\n", 1},
                                                 {"station:\n  name: ,x\n", 2}};
    // Where a '---' starts the document the ',' is in, that second document is the error.
    EXPECT_NE(only_error(load_within(write("flow.yaml", "!2mu\nstation:  l\n '0oocument st\n---\n, a: \"b }\n"), 5s))
                  .find("flow.yaml:4: a second YAML document"),
              std::string::npos);
    for (const auto& [text, line] : cases) {
        const auto r = load_within(write("flow.yaml", text), 5s);
        EXPECT_NE(only_error(r).find("flow.yaml:" + std::to_string(line) + ": YAML syntax error: "), std::string::npos)
            << text << " -> " << only_error(r);
    }
    // A ',' in a flow collection, a quoted or plain scalar or a comment is yaml-cpp's to judge.
    EXPECT_TRUE(parse_config("station: {id: s1, name: \"a, b\"}\n", "d.yaml").config.has_value());
    EXPECT_TRUE(
        parse_config("station:\n  id: s1  # one, two\n  name: north, depot 'a,b'\n", "d.yaml").config.has_value());
}

TEST_F(ConfigFile, InvalidUtf8IsAnErrorAtItsLine) {
    auto r = parse_config("station:\n  id: s1\n  name: \"North \xC3\x28 depot\"\n", "d.yaml");
    EXPECT_NE(only_error(r).find("d.yaml:3: not valid UTF-8 (byte 33)"), std::string::npos) << only_error(r);
    r = parse_config("station:\n  id: s1\n  name: \xED\xA0\x80\n", "d.yaml");  // a surrogate, CESU-style
    EXPECT_NE(only_error(r).find("d.yaml:3: not valid UTF-8"), std::string::npos) << only_error(r);
    EXPECT_TRUE(parse_config("station:\n  id: s1\n  name: 北区 depot\n", "d.yaml").config.has_value());
}

TEST_F(ConfigFile, EscapesThatMakeNulOrNonUtf8TextAreErrors) {
    auto r = parse_config("station:\n  id: s1\n  name: \"a\\0b\"\n", "d.yaml");
    EXPECT_NE(only_error(r).find("d.yaml:3: a NUL character"), std::string::npos) << only_error(r);
    r = parse_config("station:\n  id: s1\n  data_dir: \"/srv\\x00x\"\n", "d.yaml");
    EXPECT_NE(only_error(r).find("d.yaml:3: a NUL character"), std::string::npos) << only_error(r);
    r = parse_config(std::string("station:\n  id: s1\n  name: x\0y\n", 30), "d.yaml");
    EXPECT_NE(only_error(r).find("d.yaml:3: NUL byte in the file"), std::string::npos) << only_error(r);
}

}  // namespace
}  // namespace dockd::config
