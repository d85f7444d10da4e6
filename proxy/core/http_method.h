// HTTP methods as bits, so a set of methods (a route's, a policy rule's) is one integer and a test is
// one AND. Pure; any thread.
#pragma once

#include <cstdint>
#include <iterator>
#include <string_view>

namespace vigie::core {

inline constexpr std::string_view kMethodNames[] = {"GET",   "HEAD",    "POST",    "PUT",  "DELETE",
                                                    "PATCH", "OPTIONS", "CONNECT", "TRACE"};

// Extension methods share one bit that no method list sets: only "any method" accepts them.
inline constexpr uint32_t kExtensionMethodBit = 1u << 31;

[[nodiscard]] constexpr uint32_t method_bit(std::string_view method) {
  for (size_t i = 0; i < std::size(kMethodNames); ++i) {
    if (method == kMethodNames[i]) return 1u << i;
  }
  return kExtensionMethodBit;
}

[[nodiscard]] constexpr bool known_method(std::string_view method) {
  return method_bit(method) != kExtensionMethodBit;
}

}  // namespace vigie::core
