// daemon/archive/s3 protocol pieces checked against published vectors and
// real documents: SigV4 (AWS S3 documentation example), S3 XML bodies,
// shared-credentials files, secret redaction, and the shared bandwidth cap.
#include <gtest/gtest.h>

#include <chrono>

#include "daemon/archive/s3/credentials.hpp"
#include "daemon/archive/s3/digest.hpp"
#include "daemon/archive/s3/sigv4.hpp"
#include "daemon/archive/s3/xml.hpp"
#include "daemon/archive/throttle.hpp"

namespace dockd::archive {
namespace {

using namespace std::chrono_literals;

const s3::Credentials aws_example{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};

// AWS S3 API reference, "Signature Calculations for the Authorization Header:
// Transferring Payload in a Single Chunk", example GET Object.
TEST(SigV4, MatchesAwsGetObjectExample) {
    s3::SignedRequest r;
    r.method = "GET";
    r.canonical_uri = "/test.txt";
    r.headers = {{"host", "examplebucket.s3.amazonaws.com"}, {"range", "bytes=0-9"}};
    r.payload_sha256_hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    const auto at = std::chrono::sys_days{std::chrono::year{2013} / 5 / 24};
    const std::string auth = s3::sign(r, aws_example, "us-east-1", at);
    EXPECT_EQ(auth,
              "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
              "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
              "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    EXPECT_EQ(r.headers.at("x-amz-date"), "20130524T000000Z");
}

// Same document, example GET Bucket (List Objects): the query is canonicalised.
TEST(SigV4, MatchesAwsListObjectsExampleWithQuery) {
    s3::SignedRequest r;
    r.method = "GET";
    r.canonical_uri = "/";
    r.query = {{"prefix", "J"}, {"max-keys", "2"}};
    r.headers = {{"host", "examplebucket.s3.amazonaws.com"}};
    r.payload_sha256_hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    const auto at = std::chrono::sys_days{std::chrono::year{2013} / 5 / 24};
    const std::string auth = s3::sign(r, aws_example, "us-east-1", at);
    EXPECT_NE(auth.find("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
              std::string::npos)
        << auth;
}

TEST(SigV4, EncodesKeysPerAwsRules) {
    EXPECT_EQ(s3::uri_encode("media/ZFY 1/a+b~c_d-e.mp4", true), "media/ZFY%201/a%2Bb~c_d-e.mp4");
    EXPECT_EQ(s3::uri_encode("a/b", false), "a%2Fb");
    EXPECT_EQ(s3::uri_encode("\xE5\xBC\xA0", true), "%E5%BC%A0");
    EXPECT_EQ(s3::canonical_query({{"uploads", ""}}), "uploads=");
    EXPECT_EQ(s3::canonical_query({{"uploadId", "a/b=c"}, {"partNumber", "3"}}), "partNumber=3&uploadId=a%2Fb%3Dc");
}

TEST(S3Xml, ReadsErrorCodeAndMessage) {
    auto e = s3::parse_error(R"(<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match</Message>
<RequestId>tx1</RequestId></Error>)");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code, "SignatureDoesNotMatch");
    EXPECT_EQ(e->message, "The request signature we calculated does not match");
    EXPECT_FALSE(s3::parse_error(""));
    EXPECT_FALSE(s3::parse_error("<html>502 Bad Gateway</html>"));
    EXPECT_FALSE(s3::parse_error("<Error><Code>truncated"));
}

TEST(S3Xml, ReadsListPartsPagesAndUploadId) {
    auto page = s3::parse_list_parts(R"(<?xml version="1.0" encoding="UTF-8"?>
<ListPartsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>b</Bucket><Key>k</Key>
<UploadId>u1</UploadId><NextPartNumberMarker>2</NextPartNumberMarker><MaxParts>2</MaxParts>
<IsTruncated>true</IsTruncated>
<Part><PartNumber>1</PartNumber><ETag>"aaa"</ETag><Size>5242880</Size></Part>
<Part><PartNumber>2</PartNumber><ETag>&quot;bbb&quot;</ETag><Size>17</Size></Part></ListPartsResult>)");
    ASSERT_TRUE(page);
    ASSERT_EQ(page->parts.size(), 2u);
    EXPECT_EQ(page->parts[0].number, 1);
    EXPECT_EQ(page->parts[0].size_bytes, 5242880u);
    EXPECT_EQ(page->parts[0].etag, "aaa");
    EXPECT_EQ(page->parts[1].etag, "bbb");
    EXPECT_TRUE(page->truncated);
    EXPECT_EQ(page->next_marker, 2);
    EXPECT_EQ(s3::parse_upload_id("<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key>"
                                  "<UploadId>abc-123</UploadId></InitiateMultipartUploadResult>"),
              "abc-123");
    EXPECT_FALSE(s3::parse_upload_id("<Error><Code>AccessDenied</Code></Error>"));
}

TEST(S3Xml, CompleteBodyListsEveryPartInOrder) {
    const std::string xml = s3::complete_body({{1, 10, "aaa"}, {2, 5, "bbb"}});
    EXPECT_NE(xml.find("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;aaa&quot;</ETag></Part>"
                       "<Part><PartNumber>2</PartNumber>"),
              std::string::npos)
        << xml;
}

// Only an explicit Enabled counts: Swift answers ?object-lock with a bucket listing.
TEST(S3Xml, ObjectLockIsEnabledOnlyWhenTheStoreSaysSo) {
    EXPECT_TRUE(s3::object_lock_enabled(
        "<ObjectLockConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><ObjectLockEnabled>Enabled"
        "</ObjectLockEnabled></ObjectLockConfiguration>"));
    EXPECT_FALSE(s3::object_lock_enabled("<ObjectLockConfiguration><Rule/></ObjectLockConfiguration>"));
    EXPECT_FALSE(s3::object_lock_enabled("<ListBucketResult><Name>b</Name></ListBucketResult>"));
    EXPECT_FALSE(s3::object_lock_enabled(""));
    const std::string body = s3::retention_body("2036-12-01T10:00:00.000Z");
    EXPECT_NE(body.find("<Retention xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Mode>COMPLIANCE</Mode>"
                        "<RetainUntilDate>2036-12-01T10:00:00.000Z</RetainUntilDate></Retention>"),
              std::string::npos)
        << body;
}

TEST(S3Credentials, ReadsTheProfileAndNeverEchoesTheSecret) {
    auto c = s3::parse_credentials(
        "# keys\n[other]\naws_access_key_id = X\n[default]\n"
        "aws_access_key_id = test:tester\naws_secret_access_key=s3cr3t/KEY \n",
        "/etc/dockd/s3.credentials");
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->access_key_id, "test:tester");
    EXPECT_EQ(c->secret_access_key, "s3cr3t/KEY");
    auto missing = s3::parse_credentials("[default]\naws_access_key_id = AK\n", "f");
    ASSERT_FALSE(missing);
    auto bad = s3::parse_credentials("[default]\naws_secret_access_key s3cr3t\n", "f");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message.find("s3cr3t"), std::string::npos);
    EXPECT_EQ(s3::redact("sig for s3cr3t/KEY failed: s3cr3t/KEY", *c), "sig for [redacted] failed: [redacted]");
}

TEST(S3Digest, ContentMd5IsBase64OfTheRawDigest) {
    // RFC 1321 test suite: MD5("abc") = 900150983cd24fb0d6963f7d28e17f72.
    const auto d = s3::digest_bytes("abc");
    EXPECT_EQ(d.md5_hex, "900150983cd24fb0d6963f7d28e17f72");
    EXPECT_EQ(d.md5_base64, "kAFQmDzST7DWlj99KOF/cg==");
    EXPECT_EQ(d.sha256_hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// The cap with an injected clock: the long-run rate of everything pushed
// through it, by two connections taking turns, is within 10 % of the cap.
TEST(Throttle, SharedRateStaysWithinTenPercentOfTheCap) {
    auto now = Throttle::Clock::time_point{};
    const std::uint64_t cap = 4'000'000;
    Throttle bucket(cap, 64 * 1024, [&] { return now; });
    std::uint64_t sent = 0;
    const auto start = now;
    for (int i = 0; i < 2000; ++i) {
        const std::uint64_t chunk = (i % 2) ? 64 * 1024 : 16 * 1024;  // two uploads, different write sizes
        now += bucket.reserve(chunk);
        sent += chunk;
        now += std::chrono::microseconds(50);  // the write itself
    }
    const double seconds = std::chrono::duration<double>(now - start).count();
    const double rate = static_cast<double>(sent) / seconds;
    EXPECT_GT(seconds, 10.0);
    EXPECT_NEAR(rate, static_cast<double>(cap), 0.10 * static_cast<double>(cap)) << rate;
}

TEST(Throttle, IdleTimeBuysOnlyOneBurst) {
    auto now = Throttle::Clock::time_point{};
    Throttle bucket(1'000'000, 100'000, [&] { return now; });
    now += 1h;  // a night of idling
    EXPECT_EQ(bucket.reserve(100'000).count(), 0);
    EXPECT_NEAR(std::chrono::duration<double>(bucket.reserve(500'000)).count(), 0.5, 0.001);
    Throttle unlimited(0);
    EXPECT_EQ(unlimited.reserve(1ull << 40).count(), 0);
}

}  // namespace
}  // namespace dockd::archive
