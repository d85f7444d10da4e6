// The server-side session store: the cookie holds only a ticket `<id>.<secret>`; Redis holds, under
// key_prefix + id, the session sealed (AES-256-GCM) with the ticket's secret, which Vigie never
// stores. A Redis dump therefore reveals nothing, an id alone (as audit logs show it) opens nothing,
// and sessions can be revoked. One store is shared by all workers; each worker talks to Redis over
// its own connection on its own io_context (see redis_client.h). Built at config load.
#pragma once

#include <memory>

#include "config/identity.h"
#include "core/clock.h"
#include "crypto/aead.h"
#include "session/redis_client.h"
#include "session/store.h"

namespace vigie::session {

struct Ticket {
  std::string id;      // base64url of 16 random bytes: the Redis key suffix and SessionData::id
  crypto::Key secret;  // 32 random bytes: the key the record is sealed with
};

enum class TicketError {
  Malformed,  // not `<22 base64url chars>.<43 base64url chars>` in canonical form
};

[[nodiscard]] core::Result<Ticket, TicketError> parse_ticket(std::string_view cookie_value);
// Whether `id` has the form of a ticket id (the part before the dot).
[[nodiscard]] bool is_ticket_id(std::string_view id);

class RedisStore final : public Store {
 public:
  // `lifetime` is the session's absolute lifetime (config::Session::lifetime): records expire in
  // Redis when the session would. `clock` must outlive the store.
  RedisStore(const config::Redis& cfg, std::chrono::milliseconds lifetime, const core::Clock& clock);

  // A new ticket naming a new record; SessionData::id is set to the ticket's id. NotFound when the
  // session's lifetime is already over.
  boost::asio::awaitable<core::Result<std::string, StoreError>> save(const SessionData& s) override;
  boost::asio::awaitable<core::Result<SessionData, StoreError>> load(std::string_view cookie_value) override;
  // Deletes the record, if the ticket's secret is the one it was sealed with.
  boost::asio::awaitable<void> erase(std::string_view cookie_value) override;
  // Overwrites the record in place and returns the same ticket; NotFound when it is gone (erased,
  // revoked, expired) or the ticket's secret is not the record's.
  boost::asio::awaitable<core::Result<std::string, StoreError>> update(std::string_view cookie_value,
                                                                       const SessionData& s) override;
  [[nodiscard]] bool revocable() const override { return true; }
  boost::asio::awaitable<core::Result<void, StoreError>> revoke(std::string_view session_id) override;
  boost::asio::awaitable<core::Result<std::optional<std::string>, StoreError>> try_lock(
      std::string_view session_id, std::chrono::milliseconds ttl) override;
  boost::asio::awaitable<void> unlock(std::string_view session_id, std::string_view token) override;

 private:
  // One command on the calling worker's connection; a Redis error reply is Unavailable too.
  boost::asio::awaitable<core::Result<RedisReply, StoreError>> run(std::span<const std::string_view> args) const;
  // Milliseconds the session has left, <= 0 when over.
  [[nodiscard]] int64_t remaining_ms(const SessionData& s) const;

  std::shared_ptr<const RedisSettings> settings_;  // also the key of this store's per-worker clients
  std::string key_prefix_;
  std::chrono::milliseconds lifetime_;
  const core::Clock& clock_;
};

}  // namespace vigie::session
