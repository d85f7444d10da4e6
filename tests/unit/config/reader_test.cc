#include "config/reader.h"

#include <gtest/gtest.h>

namespace vigie::config {
namespace {

TEST(Reader, unread_keys_are_unknown_and_read_keys_are_not) {
  YAML::Node n = YAML::Load("a: 1\nb: x\nc: [1, 2]\n");
  LoadContext ctx{"f.yaml", {}};
  Reader r(n, "top", ctx);
  EXPECT_EQ(r.uint("a", 0, 5), 1u);
  EXPECT_EQ(r.str("b"), "x");
  r.finish();
  ASSERT_EQ(ctx.errors.size(), 1u);
  EXPECT_EQ(ctx.errors[0].to_string(), "f.yaml:3: top.c: unknown key");
}

TEST(Reader, type_errors_point_at_the_value) {
  YAML::Node n = YAML::Load("a: [1]\nb: 7\nd: maybe\n");
  LoadContext ctx{"f.yaml", {}};
  Reader r(n, "", ctx);
  EXPECT_FALSE(r.str("a"));
  EXPECT_FALSE(r.uint("b", 0, 5));
  EXPECT_FALSE(r.boolean("d"));
  EXPECT_FALSE(r.str("missing", true));
  r.finish();
  ASSERT_EQ(ctx.errors.size(), 4u);
  EXPECT_EQ(ctx.errors[0].to_string(), "f.yaml:1: a: expected a string");
  EXPECT_EQ(ctx.errors[1].to_string(), "f.yaml:2: b: expected a whole number from 0 to 5, got '7'");
  EXPECT_EQ(ctx.errors[2].line, 3);
  EXPECT_EQ(ctx.errors[3].key, "missing");
}

}  // namespace
}  // namespace vigie::config
