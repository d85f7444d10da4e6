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

namespace vigie::core {
namespace {

TEST(Strings, utf8_length_accepts_only_shortest_valid_forms) {
  EXPECT_EQ(utf8_length("\xc3\xa9", 0), 2u);              // é
  EXPECT_EQ(utf8_length("\xe2\x82\xac", 0), 3u);          // €
  EXPECT_EQ(utf8_length("\xf0\x9f\x98\x80", 0), 4u);      // 😀
  EXPECT_EQ(utf8_length("\xc0\xaf", 0), 0u);              // overlong '/'
  EXPECT_EQ(utf8_length("\xe0\x80\xaf", 0), 0u);          // overlong
  EXPECT_EQ(utf8_length("\xed\xa0\x80", 0), 0u);          // surrogate
  EXPECT_EQ(utf8_length("\xf4\x90\x80\x80", 0), 0u);      // above U+10FFFF
  EXPECT_EQ(utf8_length("\xe2\x82", 0), 0u);              // cut short
  EXPECT_EQ(utf8_length("\x80", 0), 0u);                  // a continuation byte alone
}

}  // namespace
}  // namespace vigie::core
