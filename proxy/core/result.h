// Result<T, E>: the return type of every function that can fail on untrusted input, E being a
// domain error enum. std::expected where the standard library offers it; otherwise (clang 14-16
// with libstdc++ 12, used for the libFuzzer build) a small stand-in with the same subset of API.
// Header-only, used from any thread.
#pragma once

#include <type_traits>
#include <utility>
#include <version>

#if defined(__cpp_lib_expected)
#include <expected>
#else
#include <variant>
#endif

namespace vigie::core {

#if defined(__cpp_lib_expected)

template <class T, class E>
using Result = std::expected<T, E>;

template <class E>
[[nodiscard]] constexpr std::unexpected<E> fail(E e) {
  return std::unexpected<E>(std::move(e));
}

#else

template <class E>
struct Failure {
  E error;
};

template <class E>
[[nodiscard]] constexpr Failure<E> fail(E e) {
  return Failure<E>{std::move(e)};
}

template <class T, class E>
class Result {
 public:
  template <class U = T>
    requires(std::is_constructible_v<T, U &&> && !std::is_same_v<std::remove_cvref_t<U>, Result>)
  Result(U&& v) : v_(std::in_place_index<0>, std::forward<U>(v)) {}
  template <class G>
  Result(Failure<G> f) : v_(std::in_place_index<1>, std::move(f.error)) {}

  [[nodiscard]] bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }
  T& operator*() { return std::get<0>(v_); }
  const T& operator*() const { return std::get<0>(v_); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  E& error() { return std::get<1>(v_); }
  const E& error() const { return std::get<1>(v_); }
  template <class U>
  T value_or(U&& other) const {
    return has_value() ? std::get<0>(v_) : static_cast<T>(std::forward<U>(other));
  }

 private:
  std::variant<T, E> v_;
};

// Result<void, E>: success carries no value (std::expected<void, E> in the standard version).
template <class E>
class Result<void, E> {
 public:
  Result() = default;
  template <class G>
  Result(Failure<G> f) : error_(std::move(f.error)), ok_(false) {}

  [[nodiscard]] bool has_value() const { return ok_; }
  explicit operator bool() const { return ok_; }
  void operator*() const {}
  void value() const {}
  E& error() { return error_; }
  const E& error() const { return error_; }

 private:
  E error_{};
  bool ok_ = true;
};

#endif

}  // namespace vigie::core
