#include "session/cookie_store.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "crypto/random.h"

namespace vigie::session {
namespace {

namespace asio = boost::asio;

KeyRing ring() {
  crypto::Key k;
  std::string r = crypto::random_bytes(32);
  std::copy(r.begin(), r.end(), k.begin());
  return KeyRing::from_keys({k});
}

template <class T>
T run(asio::awaitable<T> a) {
  asio::io_context io;
  std::optional<T> out;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> { out = co_await std::move(a); }, asio::detached);
  io.run();
  return std::move(*out);
}

TEST(CookieStore, save_then_load) {
  CookieStore store(ring(), "__Host-vigie");
  SessionData s;
  s.oid = "oid-1";
  s.created = 10;
  auto value = run(store.save(s));
  ASSERT_TRUE(value);
  EXPECT_EQ(value->find("oid-1"), std::string::npos);  // sealed, not readable
  auto back = run(store.load(*value));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->oid, "oid-1");
}

TEST(CookieStore, value_from_another_deployment_not_found) {
  CookieStore a(ring(), "__Host-vigie"), b(ring(), "__Host-vigie");
  auto value = run(a.save(SessionData{}));
  EXPECT_EQ(b.open(*value).error(), StoreError::NotFound);
  EXPECT_EQ(a.open("garbage").error(), StoreError::NotFound);
}

}  // namespace
}  // namespace vigie::session
