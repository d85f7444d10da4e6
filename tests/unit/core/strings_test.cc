#include "core/strings.h"

#include <gtest/gtest.h>

namespace vigie::core {
namespace {

TEST(Strings, iequals_ignores_ascii_case_only) {
  EXPECT_TRUE(iequals("Content-Length", "content-length"));
  EXPECT_FALSE(iequals("abc", "abcd"));
  EXPECT_FALSE(iequals("\xc3\xa9", "\xc3\x89"));  // é vs É: not ASCII, not folded
}

TEST(Strings, split_list_trims_and_drops_empty_tokens) {
  auto t = split_list(" a, b ,,\tc ,");
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0], "a");
  EXPECT_EQ(t[1], "b");
  EXPECT_EQ(t[2], "c");
  EXPECT_TRUE(split_list("").empty());
  EXPECT_TRUE(split_list(" , ").empty());
}

TEST(Strings, list_contains_matches_whole_tokens) {
  EXPECT_TRUE(list_contains("keep-alive, Upgrade", "upgrade"));
  EXPECT_FALSE(list_contains("keep-alive, Upgrades", "upgrade"));
  EXPECT_FALSE(list_contains("", "upgrade"));
}

TEST(Strings, trim_and_prefix) {
  EXPECT_EQ(trim(" \tx y\t "), "x y");
  EXPECT_EQ(trim("   "), "");
  EXPECT_TRUE(starts_with_icase("X-WEBAUTH-USER", "x-webauth-"));
  EXPECT_FALSE(starts_with_icase("X-WEB", "x-webauth-"));
  EXPECT_EQ(to_lower("MiXeD"), "mixed");
}

}  // namespace
}  // namespace vigie::core
