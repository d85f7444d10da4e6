// Parses the duration syntax of the configuration ("250ms", "10s", "5m", "1h", or a bare number of
// seconds). Used at config load only.
#pragma once

#include <chrono>
#include <string_view>

#include "core/result.h"

namespace vigie::core {

enum class DurationError {
  Empty,        // nothing to parse
  BadNumber,    // the numeric part is missing or not a non-negative integer
  BadUnit,      // the unit is not one of ms, s, m, h
  OutOfRange,   // larger than a day: certainly a typo
};

[[nodiscard]] Result<std::chrono::milliseconds, DurationError> parse_duration(std::string_view text);

}  // namespace vigie::core
