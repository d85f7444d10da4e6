#include "core/clock.h"

#include <gtest/gtest.h>

namespace vigie::core {
namespace {

TEST(FakeClock, moves_only_when_told) {
  FakeClock c;
  auto t0 = c.now();
  auto w0 = c.wall();
  EXPECT_EQ(c.now(), t0);
  c.advance(std::chrono::seconds(5));
  EXPECT_EQ(c.now() - t0, std::chrono::seconds(5));
  EXPECT_EQ(c.wall() - w0, std::chrono::seconds(5));
}

TEST(SystemClock, is_monotonic) {
  const Clock& c = SystemClock::instance();
  auto a = c.now();
  EXPECT_LE(a, c.now());
}

}  // namespace
}  // namespace vigie::core
