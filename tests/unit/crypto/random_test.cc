#include "crypto/random.h"

#include <gtest/gtest.h>

#include <set>

#include "crypto/encoding.h"

namespace vigie::crypto {
namespace {

TEST(Random, bytes_have_the_requested_length) {
  for (size_t n : {0, 1, 16, 32, 1000}) EXPECT_EQ(random_bytes(n).size(), n);
}

TEST(Random, tokens_are_base64url_of_the_requested_entropy) {
  std::string token = random_token(32);
  EXPECT_EQ(token.size(), 43u);
  auto bytes = base64url_decode(token);
  ASSERT_TRUE(bytes);
  EXPECT_EQ(bytes->size(), 32u);
}

TEST(Random, successive_tokens_differ) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(random_token(16));
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace vigie::crypto
