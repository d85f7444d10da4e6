#include "upstream/pool.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace vigie::upstream {
namespace {
namespace asio = boost::asio;
using asio::ip::tcp;

class PoolTest : public ::testing::Test {
 protected:
  // A connected loopback pair: `client` goes into the pool, `server` is the upstream's end.
  std::unique_ptr<Connection> connection(tcp::socket& server) {
    tcp::socket client(io);
    client.connect(acceptor.local_endpoint());
    acceptor.accept(server);
    return std::make_unique<Connection>(net::Stream(boost::beast::tcp_stream(std::move(client))),
                                        pool.open_count("c"));
  }
  asio::io_context io;
  tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  core::FakeClock clock;
  Pool pool{clock};
};

TEST_F(PoolTest, idle_connection_is_reused_and_counted) {
  tcp::socket server(io);
  auto c = connection(server);
  EXPECT_EQ(*pool.open_count("c"), 1u);
  pool.give("k", std::move(c), std::chrono::seconds(60));
  EXPECT_EQ(pool.idle_count(), 1u);
  auto again = pool.take("k", std::chrono::seconds(60));
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->reused);
  EXPECT_FALSE(pool.take("k", std::chrono::seconds(60)));
  again.reset();
  EXPECT_EQ(*pool.open_count("c"), 0u);
}

TEST_F(PoolTest, connection_idle_past_the_timeout_is_dropped) {
  tcp::socket server(io);
  pool.give("k", connection(server), std::chrono::seconds(60));
  clock.advance(std::chrono::seconds(61));
  EXPECT_FALSE(pool.take("k", std::chrono::seconds(60)));
  EXPECT_EQ(*pool.open_count("c"), 0u);
}

TEST_F(PoolTest, connection_closed_by_the_upstream_is_not_handed_out) {
  tcp::socket server(io);
  pool.give("k", connection(server), std::chrono::seconds(60));
  server.close();  // FIN is in the pooled socket's receive queue at once on loopback
  EXPECT_FALSE(pool.take("k", std::chrono::seconds(60)));
}

TEST_F(PoolTest, round_robin_over_endpoints) {
  EXPECT_EQ(pool.next_endpoint("c", 3), 0u);
  EXPECT_EQ(pool.next_endpoint("c", 3), 1u);
  EXPECT_EQ(pool.next_endpoint("c", 3), 2u);
  EXPECT_EQ(pool.next_endpoint("c", 3), 0u);
  EXPECT_EQ(pool.next_endpoint("other", 2), 0u);
}

}  // namespace
}  // namespace vigie::upstream
