// dockd-verify's parsing of untrusted archive documents (DESIGN §11): names
// classified exactly, segments read line by line, one dropped line reported
// once, facts taken from the hashed payload (never the unhashed row fields),
// and object keys that would leave the archive refused.
#include <gtest/gtest.h>

#include "daemon/custody/audit_chain.hpp"
#include "daemon/custody/audit_segments.hpp"
#include "daemon/verify/documents.hpp"

namespace dockd::verify {
namespace {

std::string chain(int n, std::vector<std::string>* lines = nullptr) {
    std::string prev = custody::genesis_hash(), out;
    for (int i = 1; i <= n; ++i) {
        const std::string at = "2026-11-23T10:00:0" + std::to_string(i % 10) + ".000Z";
        const std::string payload =
            R"({"kind":"docked","at":")" + at + R"(","docking":"D)" + std::to_string(i) + R"("})";
        prev = custody::chain_hash(prev, payload);
        const auto line = custody::segment_line(i, at, "docked", payload, prev);
        if (lines) lines->push_back(line);
        out += line;
    }
    return out;
}

TEST(VerifyDocuments, ObjectNamesAreClassifiedExactly) {
    auto seg = classify("audit/ST-1/000000000001-000000000042.jsonl.sig");
    EXPECT_EQ(seg.layout, Layout::segment);
    EXPECT_TRUE(seg.signature);
    EXPECT_EQ(seg.station, "ST-1");
    EXPECT_EQ(seg.document, "audit/ST-1/000000000001-000000000042.jsonl");
    EXPECT_EQ(seg.first_seq, 1);
    EXPECT_EQ(seg.last_seq, 42);
    auto man = classify("manifests/ST/20261123T180211Z-b3-0a1b2c3d.json");
    EXPECT_EQ(man.layout, Layout::manifest);
    EXPECT_EQ(man.docking, "20261123T180211Z-b3-0a1b2c3d");
    auto amd = classify("amendments/ST/D1/000000000077.json");
    EXPECT_EQ(amd.layout, Layout::amendment);
    EXPECT_EQ(amd.first_seq, 77);
    EXPECT_EQ(classify("keys/ST/2.pem").key_no, 2);
    EXPECT_EQ(classify("media/ZFY1/2026/11/23/a.mp4").layout, Layout::media);
    for (const char* odd : {"audit/ST/1-2.jsonl", "audit/ST/000000000002-000000000001.jsonl", "manifests/ST/x/y.json",
                            "keys/ST/0.pem", "audit/../000000000001-000000000001.jsonl", "amendments/ST/D/12.json"})
        EXPECT_EQ(classify(odd).layout, Layout::unknown) << odd;
}

TEST(VerifyDocuments, AWholeChainRecomputesFromGenesis) {
    const auto parsed = parse_segment(chain(5));
    ASSERT_FALSE(parsed.problem);
    ASSERT_EQ(parsed.rows.size(), 5u);
    const auto check = check_rows(parsed.rows, 1, 5, custody::genesis_hash());
    EXPECT_TRUE(check.problems.empty()) << check.problems.front();
}

TEST(VerifyDocuments, OneDroppedLineIsOneProblemNotACascade) {
    std::vector<std::string> lines;
    chain(8, &lines);
    std::string body;
    for (std::size_t i = 0; i < lines.size(); ++i)
        if (i != 3) body += lines[i];
    const auto parsed = parse_segment(body);
    const auto check = check_rows(parsed.rows, 1, 8, custody::genesis_hash());
    ASSERT_EQ(check.problems.size(), 1u);
    EXPECT_NE(check.problems[0].find("4-4 are missing"), std::string::npos) << check.problems[0];
}

TEST(VerifyDocuments, AnAlteredPayloadBreaksItsHash) {
    std::string body = chain(3);
    body.replace(body.find("D2"), 2, "D9");
    const auto check = check_rows(parse_segment(body).rows, 1, 3, custody::genesis_hash());
    ASSERT_EQ(check.problems.size(), 1u);
    EXPECT_NE(check.problems[0].find("row 2"), std::string::npos);
}

TEST(VerifyDocuments, ACutLastLineAndNonJsonAreProblems) {
    const std::string body = chain(2);
    EXPECT_TRUE(parse_segment(body.substr(0, body.size() - 5)).problem);
    EXPECT_TRUE(parse_segment("not json\n").problem);
    EXPECT_TRUE(parse_segment("").problem);
}

TEST(VerifyDocuments, FactsComeFromTheHashedPayloadNotTheRowFields) {
    SegmentRow row{5, "t", "docked", R"({"kind":"manifest_signed","at":"t","docking":"D","signature":"ab"})", "h"};
    auto fact = fact_of(row);
    ASSERT_TRUE(fact);
    EXPECT_EQ(fact->kind, "manifest_signed");
    EXPECT_EQ(fact->detail, "ab");
    const auto check = check_rows({row}, 5, 5, std::nullopt);
    ASSERT_EQ(check.problems.size(), 1u) << "the row's own kind disagrees with its payload";
}

TEST(VerifyDocuments, ManifestObjectsMustStayInsideTheArchive) {
    const std::string good =
        R"({"schema":"dockd.manifest/1","station":{"id":"ST"},"docking":{"id":"D"},"audit":{"seq":4,"hash":"h"},)"
        R"("files":[{"object":"media/a.mp4","size":5,"sha256":"s","retention":"long_term"}]})";
    auto m = parse_manifest(good);
    ASSERT_TRUE(m.ok()) << m.error().message;
    EXPECT_EQ(m->files.at(0).retention, "long_term");
    EXPECT_EQ(m->audit_seq, 4);
    std::string evil = good;
    evil.replace(evil.find("media/a.mp4"), 11, "../../etc/passwd");
    EXPECT_FALSE(parse_manifest(evil).ok());
    EXPECT_FALSE(parse_manifest(R"({"schema":"dockd.manifest/2"})").ok());
    EXPECT_FALSE(parse_amendment(good).ok()) << "a manifest is not an amendment";
}

}  // namespace
}  // namespace dockd::verify
