// Result<T, E>: the return type of every function that can fail on untrusted input.
// A thin alias over std::expected so call sites read the same everywhere; E is a domain error enum.
// Header-only, used from any thread.
#pragma once

#include <expected>

namespace vigie::core {

template <class T, class E>
using Result = std::expected<T, E>;

template <class E>
[[nodiscard]] constexpr std::unexpected<E> fail(E e) {
  return std::unexpected<E>(e);
}

}  // namespace vigie::core
