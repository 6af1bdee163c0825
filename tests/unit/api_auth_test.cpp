// Bearer tokens with roles, the per-client request budget and log fields.
#include <gtest/gtest.h>

#include "daemon/api/auth.hpp"
#include "daemon/api/rate_limit.hpp"
#include "daemon/common/log.hpp"

namespace dockd::api {
namespace {

TEST(ApiTokens, LinesGiveTokenRoleAndName) {
    auto t = parse_tokens(
        "# comment\n\nabcdefghijklmnop1 manager Alice Wang\nqrstuvwxyz0123456 viewer\n"
        "0000000000000000x\n",
        "api.tokens");
    ASSERT_TRUE(t.ok()) << t.error().message;
    ASSERT_EQ(t->size(), 3u);
    EXPECT_EQ((*t)[0].role, Role::manager);
    EXPECT_EQ((*t)[0].name, "Alice Wang");
    EXPECT_EQ((*t)[1].role, Role::viewer);
    EXPECT_EQ((*t)[1].name, "token-4");
    EXPECT_EQ((*t)[2].role, Role::viewer) << "no role means the least privilege";
}

TEST(ApiTokens, BadFilesAreRefusedWithTheLine) {
    auto role = parse_tokens("abcdefghijklmnop1 admin\n", "t");
    ASSERT_FALSE(role.ok());
    EXPECT_EQ(role.error().message, "t:1: role must be viewer or manager, not 'admin'");
    auto shorty = parse_tokens("# x\nshort manager\n", "t");
    ASSERT_FALSE(shorty.ok());
    EXPECT_EQ(shorty.error().message, "t:2: token shorter than 16 characters");
    EXPECT_FALSE(parse_tokens("# only comments\n", "t").ok());
    // The name goes into the access register and its JSON: UTF-8 only.
    auto name = parse_tokens("abcdefghijklmnop1 viewer 张伟\nabcdefghijklmnop2 viewer Zh\xE5\xBC\n", "t");
    ASSERT_FALSE(name.ok());
    EXPECT_EQ(name.error().message, "t:2: the name is not valid UTF-8");
}

TEST(ApiTokens, AuthenticateMatchesWholeTokensOnly) {
    const std::vector<TokenEntry> tokens{{"abcdefghijklmnop1", "alice", Role::manager},
                                         {"qrstuvwxyz0123456", "wall", Role::viewer}};
    EXPECT_EQ(authenticate(tokens, "abcdefghijklmnop1")->name, "alice");
    EXPECT_EQ(authenticate(tokens, "qrstuvwxyz0123456")->role, Role::viewer);
    EXPECT_FALSE(authenticate(tokens, "abcdefghijklmnop").has_value());
    EXPECT_FALSE(authenticate(tokens, "abcdefghijklmnop12").has_value());
    EXPECT_FALSE(authenticate(tokens, "").has_value());
    // No tokens file: loopback-only station, the local caller manages it.
    auto local = authenticate({}, "");
    ASSERT_TRUE(local.has_value());
    EXPECT_EQ(local->role, Role::manager);
}

TEST(ApiRateLimit, BurstThenRefillPerClient) {
    RateLimiter limiter(10, 5);
    const auto t0 = RateLimiter::Clock::now();
    for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.allow("10.0.0.1", t0)) << i;
    EXPECT_FALSE(limiter.allow("10.0.0.1", t0));
    EXPECT_TRUE(limiter.allow("10.0.0.2", t0)) << "another client has its own budget";
    EXPECT_FALSE(limiter.allow("10.0.0.1", t0 + std::chrono::milliseconds(50)));
    EXPECT_TRUE(limiter.allow("10.0.0.1", t0 + std::chrono::milliseconds(120)));
    int served = 0;
    for (int i = 0; i < 20; ++i) served += limiter.allow("10.0.0.1", t0 + std::chrono::seconds(10));
    EXPECT_EQ(served, 5) << "refill never exceeds the burst";
}

TEST(LogFields, BayIsReadFromTheMessagePrefix) {
    EXPECT_EQ(log::bay_of("bay 3: offloading -> verifying"), 3);
    EXPECT_EQ(log::bay_of("bay 12 fault: x"), 12);
    EXPECT_FALSE(log::bay_of("bay x: y").has_value());
    EXPECT_FALSE(log::bay_of("station up").has_value());
    EXPECT_FALSE(log::bay_of("bay 3").has_value());
}

}  // namespace
}  // namespace dockd::api
