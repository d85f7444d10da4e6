// The time source. Production code asks a Clock, never std::chrono directly, so tests can move time
// with FakeClock instead of sleeping. SystemClock is stateless and thread-safe.
#pragma once

#include <atomic>
#include <chrono>

namespace vigie::core {

class Clock {
 public:
  virtual ~Clock() = default;
  [[nodiscard]] virtual std::chrono::steady_clock::time_point now() const = 0;
  [[nodiscard]] virtual std::chrono::system_clock::time_point wall() const = 0;
};

class SystemClock final : public Clock {
 public:
  [[nodiscard]] std::chrono::steady_clock::time_point now() const override {
    return std::chrono::steady_clock::now();
  }
  [[nodiscard]] std::chrono::system_clock::time_point wall() const override {
    return std::chrono::system_clock::now();
  }
  static const SystemClock& instance();
};

class FakeClock final : public Clock {
 public:
  [[nodiscard]] std::chrono::steady_clock::time_point now() const override {
    return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(offset_.load()));
  }
  [[nodiscard]] std::chrono::system_clock::time_point wall() const override {
    return std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::nanoseconds(offset_.load())));
  }
  void advance(std::chrono::nanoseconds d) { offset_ += d.count(); }

 private:
  std::atomic<int64_t> offset_{std::chrono::nanoseconds(std::chrono::hours(24 * 365 * 56)).count()};
};

}  // namespace vigie::core
