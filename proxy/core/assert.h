// VIGIE_ASSERT: a broken invariant is a bug, not a runtime condition; it aborts with the location
// instead of recovering silently. Enabled in every build type.
#pragma once

#include <cstdio>
#include <cstdlib>

#define VIGIE_ASSERT(cond)                                                                    \
  do {                                                                                        \
    if (!(cond)) {                                                                            \
      std::fprintf(stderr, "vigie: invariant broken at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                           \
    }                                                                                         \
  } while (0)
