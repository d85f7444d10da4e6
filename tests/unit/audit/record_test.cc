#include "audit/record.h"

#include <gtest/gtest.h>

namespace vigie::audit {
namespace {

TEST(Record, names_are_the_documented_codes) {
  EXPECT_EQ(name(Action::Search), "search");
  EXPECT_EQ(name(Action::Update), "update");
  EXPECT_EQ(name(Outcome::BreakGlass), "break_glass");
  EXPECT_EQ(name(Outcome::Unauthenticated), "unauthenticated");
}

}  // namespace
}  // namespace vigie::audit
