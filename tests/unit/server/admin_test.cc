#include "server/admin.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <thread>

#include "net/listener.h"
#include "support/client.h"

namespace vigie::server {
namespace {

TEST(Admin, health_readiness_and_metrics) {
  boost::asio::io_context io;
  auto acc = net::open_listener(io, "127.0.0.1", 0);
  uint16_t port = acc.local_endpoint().port();
  std::atomic<bool> ready{false};
  AdminHandlers h{[&] { return ready.load(); }, [] { return std::string("vigie_up 1\n"); }};
  boost::asio::co_spawn(io, admin_accept_loop(acc, h), boost::asio::detached);
  std::thread t([&] { io.run(); });
  EXPECT_EQ(testing::http_request(port, "GET", "/healthz")->result_int(), 200);
  EXPECT_EQ(testing::http_request(port, "GET", "/readyz")->result_int(), 503);
  ready = true;
  EXPECT_EQ(testing::http_request(port, "GET", "/readyz")->result_int(), 200);
  auto m = testing::http_request(port, "GET", "/metrics");
  EXPECT_EQ(m->body(), "vigie_up 1\n");
  EXPECT_EQ(std::string((*m)[boost::beast::http::field::content_type]), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(testing::http_request(port, "GET", "/nope")->result_int(), 404);
  EXPECT_EQ(testing::http_request(port, "POST", "/readyz")->result_int(), 405);
  io.stop();
  t.join();
}

}  // namespace
}  // namespace vigie::server
