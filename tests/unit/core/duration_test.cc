#include "core/duration.h"

#include <gtest/gtest.h>

namespace vigie::core {
namespace {

using std::chrono::milliseconds;

struct Case {
  const char* text;
  long long ms;  // -1: error
};

TEST(Duration, parses_units_and_rejects_the_rest) {
  const Case cases[] = {{"250ms", 250}, {"10s", 10000}, {"5m", 300000}, {"1h", 3600000}, {"7", 7000},
                        {"0s", 0},      {"", -1},       {"s", -1},      {"5d", -1},      {"-1s", -1},
                        {"1.5s", -1},   {"25h", -1},    {"10 s", -1},   {"99999999999999999999s", -1}};
  for (const auto& c : cases) {
    auto d = parse_duration(c.text);
    if (c.ms < 0) {
      EXPECT_FALSE(d) << c.text;
    } else {
      EXPECT_EQ(d.value_or(milliseconds(-1)).count(), c.ms) << c.text;
    }
  }
}

TEST(Duration, errors_say_what_is_wrong) {
  EXPECT_EQ(parse_duration("").error(), DurationError::Empty);
  EXPECT_EQ(parse_duration("x").error(), DurationError::BadNumber);
  EXPECT_EQ(parse_duration("3 weeks").error(), DurationError::BadUnit);
  EXPECT_EQ(parse_duration("48h").error(), DurationError::OutOfRange);
}

}  // namespace
}  // namespace vigie::core
