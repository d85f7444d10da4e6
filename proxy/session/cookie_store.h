// The default session store: the whole session, sealed with the key ring (AES-256-GCM), is the
// cookie value. Nothing to run beside Vigie; sessions survive restarts and work across replicas
// sharing the key file. Stateless and immutable: any thread.
#pragma once

#include "session/key_ring.h"
#include "session/store.h"

namespace vigie::session {

class CookieStore final : public Store {
 public:
  CookieStore(KeyRing ring, std::string purpose) : ring_(std::move(ring)), purpose_(std::move(purpose)) {}

  boost::asio::awaitable<core::Result<std::string, StoreError>> save(const SessionData& s) override;
  boost::asio::awaitable<core::Result<SessionData, StoreError>> load(std::string_view cookie_value) override;
  boost::asio::awaitable<void> erase(std::string_view) override { co_return; }

  // The synchronous core, for callers outside a coroutine and for the fuzz target.
  [[nodiscard]] core::Result<SessionData, StoreError> open(std::string_view cookie_value) const;

 private:
  KeyRing ring_;
  std::string purpose_;
};

}  // namespace vigie::session
