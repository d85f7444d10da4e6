// Where sessions live. The cookie store seals the whole record into the cookie; the Redis store
// (see redis_store.h) keeps it server-side behind a ticket. Both hand the browser one opaque cookie
// value, and the same contract tests run against both. Implementations are shared by all workers
// and must be safe to call from any worker's coroutine.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <optional>
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

  // Stores new data for the session `cookie_value` names (sliding expiry, refreshed tokens) and
  // returns the cookie value to send back: the same one for a server-side store, a new one for the
  // cookie store. NotFound when the session was erased or revoked meanwhile — never resurrected.
  [[nodiscard]] virtual boost::asio::awaitable<core::Result<std::string, StoreError>> update(
      std::string_view /*cookie_value*/, const SessionData& s) {
    co_return co_await save(s);
  }

  // Whether erase() and revoke() end a session everywhere. False for the cookie store: a copy of
  // the cookie keeps working until the session's lifetime ends.
  [[nodiscard]] virtual bool revocable() const { return false; }

  // Ends the session whose SessionData::id is `session_id` (an operator or back-channel logout
  // naming it from the audit trail). NotFound when no such session is stored — always, for a store
  // that keeps none.
  [[nodiscard]] virtual boost::asio::awaitable<core::Result<void, StoreError>> revoke(std::string_view /*session_id*/) {
    co_return core::fail(StoreError::NotFound);
  }

  // A single-flight guard across replicas for refreshing one session's tokens: the value is a token
  // for unlock() when this caller holds the lock, nullopt when another holder has it. The lock
  // lapses after `ttl` if its holder dies. Trivially granted by a store without shared state.
  [[nodiscard]] virtual boost::asio::awaitable<core::Result<std::optional<std::string>, StoreError>> try_lock(
      std::string_view /*session_id*/, std::chrono::milliseconds /*ttl*/) {
    co_return std::optional<std::string>(std::string());
  }
  // Releases the lock if `token` still holds it (never another holder's lock after a lapse).
  virtual boost::asio::awaitable<void> unlock(std::string_view /*session_id*/, std::string_view /*token*/) {
    co_return;
  }
};

}  // namespace vigie::session
