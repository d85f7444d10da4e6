#include "session/data.h"

#include <gtest/gtest.h>

namespace vigie::session {
namespace {

TEST(SessionData, round_trip) {
  SessionData s{.id = "sid1", .issuer = "https://iss", .oid = "o", .tid = "t", .sub = "s", .name = "Élise",
                .email = "e@x", .preferred_username = "elise@x", .groups = {"g1", "g2"}, .roles = {"r"},
                .sid = "psid", .created = 1, .last_seen = 2, .tokens_expire = 3, .id_token = "it",
                .access_token = "at", .refresh_token = "rt"};
  s.claims = {{"department", {"audiology"}}, {"wids", {"w1", "w2"}}};
  auto back = from_json(to_json(s));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->name, "Élise");
  EXPECT_EQ(back->groups, s.groups);
  EXPECT_EQ(back->roles, s.roles);
  EXPECT_EQ(back->tokens_expire, 3);
  EXPECT_EQ(back->refresh_token, "rt");
  EXPECT_EQ(back->claims, s.claims);
  EXPECT_EQ(to_json(*back), to_json(s));
}

TEST(SessionData, same_tokens_sees_a_refresh_in_any_token_or_the_expiry) {
  SessionData a{.id = "sid1", .tokens_expire = 100, .id_token = "it", .access_token = "", .refresh_token = "rt"};
  SessionData b = a;
  b.last_seen = 50;  // a touch is not a refresh
  b.groups = {"g"};
  EXPECT_TRUE(same_tokens(a, b));
  for (auto change : {+[](SessionData& s) { s.tokens_expire += 3600; }, +[](SessionData& s) { s.id_token = "it2"; },
                      +[](SessionData& s) { s.access_token = "at"; }, +[](SessionData& s) { s.refresh_token = "rt2"; }}) {
    SessionData c = a;
    change(c);
    EXPECT_FALSE(same_tokens(a, c));
  }
}

TEST(SessionData, malformed_rejected) {
  for (const char* bad : {"", "[]", "{", R"({"c":1,"ls":2})", R"({"c":1,"ls":2,"te":"3"})",
                          R"({"c":1,"ls":2,"te":3,"g":"x"})", R"({"c":1,"ls":2,"te":3,"g":[1]})",
                          R"({"c":1,"ls":2,"te":3,"oid":5})", R"({"c":1,"ls":2,"te":3,"cl":[]})",
                          R"({"c":1,"ls":2,"te":3,"cl":{"d":"x"}})"}) {
    EXPECT_FALSE(from_json(bad)) << bad;
  }
  EXPECT_TRUE(from_json(R"({"c":1,"ls":2,"te":3})"));
}

}  // namespace
}  // namespace vigie::session
