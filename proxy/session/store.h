// Where sessions live. The cookie store seals the whole record into the cookie; the Redis store
// (see redis_store.h) keeps it server-side behind a ticket. Both hand the browser one opaque cookie
// value, and the same contract tests run against both. Implementations are shared by all workers
// and must be safe to call from any worker's coroutine.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>

#include "core/result.h"
#include "session/data.h"

namespace vigie::session {

enum class StoreError {
  NotFound,     // no such session: forged, expired, revoked or signed out
  Unavailable,  // the backing service did not answer (Redis down)
};

class Store {
 public:
  virtual ~Store() = default;
  // The cookie value that names the stored session.
  [[nodiscard]] virtual boost::asio::awaitable<core::Result<std::string, StoreError>> save(const SessionData& s) = 0;
  [[nodiscard]] virtual boost::asio::awaitable<core::Result<SessionData, StoreError>> load(
      std::string_view cookie_value) = 0;
  // Ends the session so its cookie no longer loads anywhere (the cookie store cannot revoke a copy
  // of a cookie; its sessions end with their lifetime — documented).
  virtual boost::asio::awaitable<void> erase(std::string_view cookie_value) = 0;
};

}  // namespace vigie::session
