#include "jwt/error.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace vigie::jwt {
namespace {

TEST(Error, codes_are_distinct_and_prefixed) {
  std::set<std::string_view> seen;
  for (int i = 0; i <= static_cast<int>(Error::BadJwks); ++i) {
    std::string_view c = code(static_cast<Error>(i));
    EXPECT_TRUE(c.starts_with("jwt_") || c.starts_with("jwk_") || c.starts_with("jwks_")) << c;
    EXPECT_TRUE(seen.insert(c).second) << c;
  }
}

TEST(Error, codes_used_by_dashboards_are_stable) {
  EXPECT_EQ(code(Error::Expired), "jwt_expired");
  EXPECT_EQ(code(Error::AlgNone), "jwt_alg_none");
  EXPECT_EQ(code(Error::BadSignature), "jwt_bad_signature");
  EXPECT_EQ(code(Error::BadKey), "jwk_bad_key");
  EXPECT_EQ(code(Error::BadJwks), "jwks_malformed");
}

}  // namespace
}  // namespace vigie::jwt
