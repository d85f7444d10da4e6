#include "jwt/verify.h"

#include <gtest/gtest.h>

#include "test_keys.h"

namespace vigie::jwt {
namespace {

using nlohmann::json;
using testing::keys;

constexpr int64_t kNow = 1'700'000'000;

const json kClaims = {{"iss", "https://issuer.example"}, {"aud", "vigie"}, {"exp", kNow + 300}};

KeySet issuer_keys() {
  json doc = {{"keys", {keys().rsa.public_jwk("r1"), keys().ec.public_jwk("e1")}}};
  return parse_jwks(doc.dump()).value();
}

VerifyRules rules() {
  return VerifyRules{.algs = {}, .claims = {.issuers = {"https://issuer.example"}, .audiences = {"vigie"}}};
}

TEST(Verify, accepts_a_good_token) {
  std::string tok = sign(keys().ec, Alg::ES256, {{"kid", "e1"}}, kClaims);
  auto jws = verify(tok, issuer_keys(), rules(), kNow);
  ASSERT_TRUE(jws) << code(jws.error());
  EXPECT_EQ(jws->payload["aud"], "vigie");
}

struct Case {
  const char* name;
  std::string token;
  std::vector<Alg> algs;
  Error error;
};

TEST(Verify, each_stage_reports_its_reason) {
  const KeySet set = issuer_keys();
  const Case cases[] = {
      {"parse_failure", "a.b", {}, Error::Malformed},
      {"alg_not_allowed_for_issuer",
       sign(keys().rsa, Alg::RS256, {{"kid", "r1"}}, kClaims),
       {Alg::ES256},
       Error::AlgNotAllowed},
      {"unknown_kid", sign(keys().rsa, Alg::RS256, {{"kid", "r9"}}, kClaims), {}, Error::UnknownKid},
      {"kid_of_other_kty", sign(keys().rsa, Alg::RS256, {{"kid", "e1"}}, kClaims), {}, Error::AlgNotAllowed},
      {"signed_by_stranger",
       sign(keys().rsa2, Alg::RS256, {{"kid", "r1"}}, kClaims),
       {},
       Error::BadSignature},
      {"expired_but_well_signed",
       sign(keys().rsa, Alg::RS256, {{"kid", "r1"}},
            {{"iss", "https://issuer.example"}, {"aud", "vigie"}, {"exp", kNow - 3600}}),
       {},
       Error::Expired},
  };
  for (const auto& c : cases) {
    VerifyRules r = rules();
    r.algs = c.algs;
    auto jws = verify(c.token, set, r, kNow);
    ASSERT_FALSE(jws) << c.name;
    EXPECT_EQ(jws.error(), c.error) << c.name << ": got " << code(jws.error());
  }
}

TEST(Verify, signature_is_checked_before_claims) {
  // A forged token with bad claims reports the forgery, never leaks which claim was wrong.
  std::string tok = sign(keys().rsa2, Alg::RS256, {{"kid", "r1"}}, {{"exp", 1}});
  EXPECT_EQ(verify(tok, issuer_keys(), rules(), kNow).error(), Error::BadSignature);
}

}  // namespace
}  // namespace vigie::jwt
