#include "core/clock.h"

namespace vigie::core {

const SystemClock& SystemClock::instance() {
  static const SystemClock clock;
  return clock;
}

}  // namespace vigie::core
