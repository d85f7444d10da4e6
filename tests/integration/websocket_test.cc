// WebSocket upgrades are tunnelled after the upstream's 101 on routes that allow them, refused on
// the others, and closed after the tunnel idle timeout.
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>

#include "integration/harness.h"

namespace vigie::testing {
namespace {
namespace beast = boost::beast;

class WebSocket : public ::testing::Test {
 protected:
  void SetUp() override {
    ConfigOptions o;
    o.upstream_port = upstream.port();
    o.top_extra = "timeouts: {websocket_idle: 1s}\n";
    vigie = std::make_unique<VigieProcess>(make_config(o));
  }
  RecordingUpstream upstream;
  std::unique_ptr<VigieProcess> vigie;
};

TEST_F(WebSocket, echo_through_the_tunnel) {
  boost::asio::io_context io;
  beast::websocket::stream<boost::asio::ip::tcp::socket> ws(io);
  ws.next_layer().connect({boost::asio::ip::make_address("127.0.0.1"), vigie->port()});
  ws.handshake("app.test", "/ws/live");
  for (const std::string& msg : {std::string("hello"), std::string(100000, 'x')}) {
    ws.write(boost::asio::buffer(msg));
    beast::flat_buffer b;
    ws.read(b);
    EXPECT_EQ(beast::buffers_to_string(b.data()), msg);
  }
  ws.close(beast::websocket::close_code::normal);
  Recorded up = upstream.requests().at(0);
  EXPECT_EQ(up.header("Upgrade"), "websocket");
  EXPECT_TRUE(up.header("X-Request-Id"));
}

TEST_F(WebSocket, refused_on_a_route_that_does_not_allow_it) {
  boost::asio::io_context io;
  beast::websocket::stream<boost::asio::ip::tcp::socket> ws(io);
  ws.next_layer().connect({boost::asio::ip::make_address("127.0.0.1"), vigie->port()});
  beast::websocket::response_type res;
  boost::system::error_code ec;
  ws.handshake(res, "app.test", "/not-ws", ec);
  EXPECT_TRUE(ec);
  EXPECT_EQ(res.result_int(), 403);
  EXPECT_EQ(upstream.count(), 0u);
}

TEST_F(WebSocket, idle_tunnel_closed_after_the_idle_timeout) {
  boost::asio::io_context io;
  beast::websocket::stream<boost::asio::ip::tcp::socket> ws(io);
  ws.next_layer().connect({boost::asio::ip::make_address("127.0.0.1"), vigie->port()});
  ws.handshake("app.test", "/ws");
  beast::flat_buffer b;
  boost::system::error_code ec;
  ws.read(b, ec);  // returns when Vigie closes the idle tunnel (1 s), not before
  EXPECT_TRUE(ec);
}

}  // namespace
}  // namespace vigie::testing
