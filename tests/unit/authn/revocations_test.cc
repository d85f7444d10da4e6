#include "authn/revocations.h"

#include <gtest/gtest.h>

namespace vigie::authn {
namespace {

SessionRef session(std::string_view sid, std::string_view sub, int64_t created, std::string_view id = "v1") {
  return {id, "iss", sid, sub, created};
}

TEST(Revocations, by_sid_until_expiry) {
  Revocations r;
  EXPECT_FALSE(r.revoked(session("s1", "u", 10), 100));
  r.revoke_sid("iss", "s1", 100, 200);
  EXPECT_TRUE(r.revoked(session("s1", "u", 10), 100));
  EXPECT_FALSE(r.revoked(session("s2", "u", 10), 100));
  EXPECT_FALSE(r.revoked(session("s1", "u", 10), 200));  // forgotten once no session can be that old
}

TEST(Revocations, by_sub_only_sessions_created_before) {
  Revocations r;
  r.revoke_sub("iss", "u", 50, 500);
  EXPECT_TRUE(r.revoked(session("", "u", 40), 60));
  EXPECT_FALSE(r.revoked(session("", "u", 51), 60));  // signed in again after the logout
  EXPECT_FALSE(r.revoked(session("", "v", 40), 60));
}

TEST(Revocations, by_vigie_session_id) {
  Revocations r;
  r.revoke_session("v1", 50, 500);
  EXPECT_TRUE(r.revoked(session("s1", "u", 40), 60));
  EXPECT_FALSE(r.revoked(session("s1", "u", 40, "v2"), 60));
  EXPECT_FALSE(r.revoked(session("s1", "u", 40), 500));
}

TEST(Revocations, logout_token_ids_are_single_use) {
  Revocations r;
  EXPECT_TRUE(r.first_use("j1", 100, 10));
  EXPECT_FALSE(r.first_use("j1", 100, 20));
  EXPECT_TRUE(r.first_use("j1", 200, 100));  // expired entry forgotten
}

}  // namespace
}  // namespace vigie::authn
