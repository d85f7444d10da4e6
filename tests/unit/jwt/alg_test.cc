#include "jwt/alg.h"

#include <gtest/gtest.h>

namespace vigie::jwt {
namespace {

TEST(Alg, names_round_trip) {
  for (Alg a : {Alg::RS256, Alg::PS256, Alg::ES256}) EXPECT_EQ(parse_alg(name(a)), a);
}

TEST(Alg, only_the_three_asymmetric_algs_parse) {
  for (const char* text : {"none", "None", "HS256", "HS384", "HS512", "RS384", "RS512", "PS512", "ES384",
                           "ES512", "EdDSA", "rs256", "RS256 ", "", "ES256K"}) {
    EXPECT_FALSE(parse_alg(text)) << text;
  }
}

TEST(Alg, key_family) {
  EXPECT_TRUE(is_rsa(Alg::RS256));
  EXPECT_TRUE(is_rsa(Alg::PS256));
  EXPECT_FALSE(is_rsa(Alg::ES256));
}

}  // namespace
}  // namespace vigie::jwt
