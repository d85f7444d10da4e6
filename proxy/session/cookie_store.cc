#include "session/cookie_store.h"

namespace vigie::session {

boost::asio::awaitable<core::Result<std::string, StoreError>> CookieStore::save(const SessionData& s) {
  co_return seal(ring_, purpose_, to_json(s));
}

boost::asio::awaitable<core::Result<SessionData, StoreError>> CookieStore::load(std::string_view cookie_value) {
  co_return open(cookie_value);
}

core::Result<SessionData, StoreError> CookieStore::open(std::string_view cookie_value) const {
  auto plain = session::open(ring_, purpose_, cookie_value);
  if (!plain) return core::fail(StoreError::NotFound);
  auto data = from_json(*plain);
  if (!data) return core::fail(StoreError::NotFound);
  return std::move(*data);
}

}  // namespace vigie::session
