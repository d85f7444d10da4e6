#include "authn/assertion.h"

#include <gtest/gtest.h>

#include "jwt/claims.h"
#include "jwt/jws.h"
#include "jwt/keyset.h"

namespace vigie::authn {
namespace {

Identity alice() {
  Identity id;
  id.oid = "o1";
  id.tid = "t1";
  id.preferred_username = "alice@x";
  id.session_id = "s1";
  id.groups = {"g1"};
  return id;
}

TEST(Assertion, signed_claims_verify_with_the_published_jwks) {
  core::FakeClock clock;
  AssertionSigner signer(std::nullopt, clock);
  std::string token = signer.sign(alice(), "openmrs.clinic.fr");
  auto jws = jwt::parse(token);
  ASSERT_TRUE(jws);
  EXPECT_EQ(jws->kid, signer.kid());
  EXPECT_EQ(jws->payload["aud"], "openmrs.clinic.fr");
  EXPECT_EQ(jws->payload["sub"], "o1@t1");
  EXPECT_EQ(jws->payload["groups"], nlohmann::json::array({"g1"}));
  auto keys = jwt::parse_jwks(signer.jwks());
  ASSERT_TRUE(keys);
  auto key = keys->select(jws->kid, jwt::Alg::RS256);
  ASSERT_TRUE(key);
  EXPECT_TRUE(jwt::verify_signature(*jws, **key));
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(clock.wall().time_since_epoch()).count();
  EXPECT_TRUE(jwt::check_claims(*jws, {{"vigie"}, {"openmrs.clinic.fr"}, std::chrono::seconds(0)}, now));
}

TEST(Assertion, configured_key_must_be_rsa) {
  core::FakeClock clock;
  EXPECT_THROW(AssertionSigner(config::Secret{"env K", "not a key"}, clock), std::runtime_error);
}

TEST(AssertionCache, reused_until_a_minute_before_expiry_and_per_audience) {
  core::FakeClock clock;
  AssertionSigner signer(std::nullopt, clock);
  AssertionCache cache;
  std::string first = cache.get(signer, alice(), "a.example", 1000);
  EXPECT_EQ(cache.get(signer, alice(), "a.example", 1000 + 239), first);
  EXPECT_NE(cache.get(signer, alice(), "b.example", 1000), first);
  EXPECT_NE(cache.get(signer, alice(), "a.example", 1000 + 240), first);  // 5 min lifetime - 1 min
}

}  // namespace
}  // namespace vigie::authn
