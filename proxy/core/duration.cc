#include "core/duration.h"

#include <charconv>

namespace vigie::core {

Result<std::chrono::milliseconds, DurationError> parse_duration(std::string_view text) {
  if (text.empty()) return fail(DurationError::Empty);
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end == text.data()) return fail(DurationError::BadNumber);
  std::string_view unit(end, text.data() + text.size() - end);
  uint64_t scale = 0;
  if (unit.empty() || unit == "s") scale = 1000;
  else if (unit == "ms") scale = 1;
  else if (unit == "m") scale = 60'000;
  else if (unit == "h") scale = 3'600'000;
  else return fail(DurationError::BadUnit);
  constexpr uint64_t kDayMs = 86'400'000;
  if (value > kDayMs || value * scale > kDayMs) return fail(DurationError::OutOfRange);
  return std::chrono::milliseconds(value * scale);
}

}  // namespace vigie::core
