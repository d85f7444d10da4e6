#include "authn/refresh_flights.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace vigie::authn {
namespace {

namespace asio = boost::asio;

session::SessionData session(int64_t expires) {
  session::SessionData s;
  s.id = "sid";
  s.tokens_expire = expires;
  return s;
}

struct Counter {
  int calls = 0;
  // A refresh that yields once, so that concurrent callers really overlap with it.
  RefreshFlights::Refresh refresh(int64_t new_expiry, bool ok = true) {
    return [this, new_expiry, ok]() -> asio::awaitable<std::optional<session::SessionData>> {
      ++calls;
      co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
      if (!ok) co_return std::nullopt;
      co_return session(new_expiry);
    };
  }
};

TEST(RefreshFlights, concurrent_callers_share_one_refresh) {
  core::FakeClock clock;
  RefreshFlights flights(clock);
  Counter c;
  auto refresh = c.refresh(200);
  std::vector<int64_t> got;
  asio::io_context io;
  for (int i = 0; i < 4; ++i) {
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
      auto r = co_await flights.run(session(100), refresh);
      got.push_back(r ? r->tokens_expire : -1);
    }, asio::detached);
  }
  io.run();
  EXPECT_EQ(c.calls, 1);
  EXPECT_EQ(got, (std::vector<int64_t>{200, 200, 200, 200}));
}

TEST(RefreshFlights, result_reused_for_a_minute_then_refreshed_again) {
  core::FakeClock clock;
  RefreshFlights flights(clock);
  Counter c;
  auto refresh = c.refresh(200);
  auto run = [&](int64_t expires) {
    std::optional<session::SessionData> out;
    asio::io_context io;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> { out = co_await flights.run(session(expires), refresh); },
                   asio::detached);
    io.run();
    return out;
  };
  EXPECT_EQ(run(100)->tokens_expire, 200);
  EXPECT_EQ(run(100)->tokens_expire, 200);  // the old cookie again: reused
  EXPECT_EQ(c.calls, 1);
  clock.advance(std::chrono::minutes(1));
  EXPECT_EQ(run(100)->tokens_expire, 200);
  EXPECT_EQ(c.calls, 2);
}

TEST(RefreshFlights, failure_is_shared_but_not_remembered) {
  core::FakeClock clock;
  RefreshFlights flights(clock);
  Counter c;
  auto failing = c.refresh(0, false);
  std::optional<session::SessionData> out = session(1);
  asio::io_context io;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> { out = co_await flights.run(session(100), failing); },
                 asio::detached);
  io.run();
  EXPECT_FALSE(out);
  io.restart();
  asio::co_spawn(io, [&]() -> asio::awaitable<void> { out = co_await flights.run(session(100), failing); },
                 asio::detached);
  io.run();
  EXPECT_EQ(c.calls, 2);
}

}  // namespace
}  // namespace vigie::authn
