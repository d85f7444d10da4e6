#include "jwt/keyset.h"

#include <gtest/gtest.h>

#include "test_keys.h"

namespace vigie::jwt {
namespace {

using nlohmann::json;
using testing::keys;

std::string jwks(std::initializer_list<json> entries) {
  json list = json::array();
  for (const auto& e : entries) list.push_back(e);
  return json{{"keys", list}}.dump();
}

TEST(KeySet, parses_rsa_and_ec_keys) {
  auto set = parse_jwks(jwks({keys().rsa.public_jwk("r1"), keys().ec.public_jwk("e1")}));
  ASSERT_TRUE(set);
  EXPECT_EQ(set->size(), 2u);
  EXPECT_EQ(set->skipped(), 0u);
  EXPECT_EQ(set->kids(), (std::vector<std::string>{"r1", "e1"}));
}

TEST(KeySet, unusable_keys_are_skipped_not_fatal) {
  json enc = keys().rsa2.public_jwk("enc");
  enc["use"] = "enc";
  json okp = {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}};
  json hmac = {{"kty", "oct"}, {"k", "c2VjcmV0"}};
  auto set = parse_jwks(jwks({enc, okp, hmac, "not an object", keys().ec.public_jwk("good")}));
  ASSERT_TRUE(set);
  EXPECT_EQ(set->size(), 1u);
  EXPECT_EQ(set->skipped(), 4u);
  EXPECT_EQ(set->kids(), std::vector<std::string>{"good"});
}

TEST(KeySet, empty_key_list_is_an_empty_set) {
  auto set = parse_jwks(R"({"keys":[]})");
  ASSERT_TRUE(set);
  EXPECT_EQ(set->size(), 0u);
}

TEST(KeySet, documents_that_are_not_a_jwks_are_rejected) {
  for (const char* doc : {"", "not json", "[]", "{}", R"({"keys":{}})", R"({"keys":"x"})", R"({"Keys":[]})",
                          R"({"keys":[]} trailing)", "null"}) {
    auto set = parse_jwks(doc);
    ASSERT_FALSE(set) << doc;
    EXPECT_EQ(set.error(), Error::BadJwks) << doc;
  }
}

struct FindCase {
  const char* name;
  std::string kid;
  Alg alg;
  const char* found;  // kid of the expected key, nullptr: none
  Error error;        // when none
};

TEST(KeySet, find_by_kid_and_alg) {
  auto set = parse_jwks(jwks(
      {keys().rsa.public_jwk("r1"), keys().rsa2.public_jwk("r2", Alg::PS256), keys().ec.public_jwk("e1")}));
  ASSERT_TRUE(set);
  const FindCase cases[] = {
      {"kid_matches", "r1", Alg::RS256, "r1", {}},
      {"kid_matches_declared_alg", "r2", Alg::PS256, "r2", {}},
      {"ec_kid_matches", "e1", Alg::ES256, "e1", {}},
      {"kid_unknown", "nope", Alg::RS256, nullptr, Error::UnknownKid},
      {"kid_matches_but_kty_does_not_fit", "e1", Alg::RS256, nullptr, Error::AlgNotAllowed},
      {"kid_matches_but_declared_alg_differs", "r1", Alg::PS256, nullptr, Error::AlgNotAllowed},
      {"no_kid_with_one_compatible_key", "", Alg::ES256, "e1", {}},
      {"no_kid_with_one_compatible_declared_alg", "", Alg::PS256, "r2", {}},
      {"no_kid_declared_alg_narrows_to_one_key", "", Alg::RS256, "r1", {}},
  };
  for (const auto& c : cases) {
    const PublicKey* key = set->find(c.kid, c.alg);
    auto selected = set->select(c.kid, c.alg);
    if (c.found) {
      ASSERT_NE(key, nullptr) << c.name;
      EXPECT_EQ(key->kid(), c.found) << c.name;
      ASSERT_TRUE(selected) << c.name;
      EXPECT_EQ(*selected, key) << c.name;
    } else {
      EXPECT_EQ(key, nullptr) << c.name;
      ASSERT_FALSE(selected) << c.name;
      EXPECT_EQ(selected.error(), c.error) << c.name;
    }
  }
}

TEST(KeySet, no_kid_with_two_keys_is_unknown_kid) {
  auto set = parse_jwks(jwks({keys().ec.public_jwk("a"), keys().ec2.public_jwk("b")}));
  ASSERT_TRUE(set);
  EXPECT_EQ(set->find("", Alg::ES256), nullptr);
  EXPECT_EQ(set->select("", Alg::ES256).error(), Error::UnknownKid);
}

TEST(KeySet, duplicate_kid_picks_the_key_that_fits) {
  auto set = parse_jwks(jwks({keys().rsa.public_jwk("same"), keys().ec.public_jwk("same")}));
  ASSERT_TRUE(set);
  ASSERT_NE(set->find("same", Alg::ES256), nullptr);
  EXPECT_EQ(set->find("same", Alg::ES256)->kty(), Kty::EcP256);
  EXPECT_EQ(set->find("same", Alg::RS256)->kty(), Kty::Rsa);
}

TEST(KeySet, oversized_sets_are_capped) {
  json list = json::array();
  json jwk = keys().ec.public_jwk("k");
  for (int i = 0; i < 150; ++i) list.push_back(jwk);
  auto set = parse_jwks(json{{"keys", list}}.dump());
  ASSERT_TRUE(set);
  EXPECT_EQ(set->size(), 100u);
  EXPECT_EQ(set->skipped(), 50u);
}

}  // namespace
}  // namespace vigie::jwt
