#include "core/request_id.h"

#include <gtest/gtest.h>

#include <set>

namespace vigie::core {
namespace {

TEST(RequestId, new_ids_are_32_hex_chars_and_unique) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    std::string id = new_request_id();
    ASSERT_EQ(id.size(), 32u);
    ASSERT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
    ASSERT_TRUE(seen.insert(id).second);
    ASSERT_TRUE(valid_request_id(id));
  }
}

TEST(RequestId, only_safe_ids_are_accepted_from_proxies) {
  EXPECT_TRUE(valid_request_id("lb-1234_abc.Z"));
  EXPECT_FALSE(valid_request_id(""));
  EXPECT_FALSE(valid_request_id(std::string(129, 'a')));
  EXPECT_FALSE(valid_request_id("a b"));
  EXPECT_FALSE(valid_request_id("a\"b"));
  EXPECT_FALSE(valid_request_id("a\r\nX-Injected: 1"));
}

}  // namespace
}  // namespace vigie::core
