#include "upstream/tunnel.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace vigie::upstream {
namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
using Clock = std::chrono::steady_clock;

asio::awaitable<void> pump(net::Stream& from, boost::beast::flat_buffer& pending, net::Stream& to,
                           Clock::time_point& last_activity, uint64_t& moved) {
  if (pending.size() > 0) {
    auto [ec, n] = co_await asio::async_write(to, pending.data(), kTuple);
    if (ec) co_return;
    moved += n;
    pending.consume(n);
  }
  std::array<char, 16384> buf;
  for (;;) {
    auto [rec, n] = co_await from.async_read_some(asio::buffer(buf), kTuple);
    if (rec) break;
    last_activity = Clock::now();
    auto [wec, w] = co_await asio::async_write(to, asio::buffer(buf.data(), n), kTuple);
    if (wec) break;
    moved += w;
  }
  // One side is gone: close both so the opposite pump ends too.
  from.close();
  to.close();
}

asio::awaitable<void> watchdog(net::Stream& a, net::Stream& b, const Clock::time_point& last_activity,
                               std::chrono::milliseconds idle) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    timer.expires_at(last_activity + idle);
    auto [ec] = co_await timer.async_wait(kTuple);
    if (ec) co_return;  // cancelled: the tunnel ended
    if (Clock::now() - last_activity >= idle) break;
  }
  a.close();
  b.close();
}

}  // namespace

asio::awaitable<TunnelBytes> tunnel(net::Stream& client, boost::beast::flat_buffer& client_buf,
                                    net::Stream& upstream, boost::beast::flat_buffer& upstream_buf,
                                    std::chrono::milliseconds idle) {
  client.tcp().expires_never();
  upstream.tcp().expires_never();
  TunnelBytes bytes;
  Clock::time_point last = Clock::now();
  co_await ((pump(client, client_buf, upstream, last, bytes.client_to_upstream) &&
             pump(upstream, upstream_buf, client, last, bytes.upstream_to_client)) ||
            watchdog(client, upstream, last, idle));
  co_return bytes;
}

}  // namespace vigie::upstream
