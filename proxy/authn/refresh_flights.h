// Single-flight token refresh per session, across all workers of the process. Entra and other
// providers rotate refresh tokens: two concurrent refreshes with the same token log the user out.
// The first request that needs a refresh leads; the others wait for its result, and requests that
// still carry the old cookie during the next minute reuse the result instead of refreshing again
// with a spent refresh token. Shared by workers; the mutex guards a small map on a rare path.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "session/data.h"

namespace vigie::authn {

class RefreshFlights {
 public:
  explicit RefreshFlights(const core::Clock& clock) : clock_(clock) {}
  // The flights of the process (they outlive reloads), on the system clock; tests make their own.
  static RefreshFlights& process(const core::Clock& clock);

  using Refresh = std::function<boost::asio::awaitable<std::optional<session::SessionData>>()>;

  // Runs `refresh` unless a flight for the session is under way (then waits for it) or finished
  // within the last minute with tokens at least as fresh as `current` (then returns its result).
  // nullopt when the refresh failed.
  [[nodiscard]] boost::asio::awaitable<std::optional<session::SessionData>> run(const session::SessionData& current,
                                                                                const Refresh& refresh);

 private:
  struct Flight {
    bool done = false;
    std::optional<session::SessionData> result;
    std::chrono::steady_clock::time_point finished;
    std::vector<std::shared_ptr<boost::asio::steady_timer>> waiters;
  };

  const core::Clock& clock_;
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;
};

}  // namespace vigie::authn
