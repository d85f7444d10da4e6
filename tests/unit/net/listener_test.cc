#include "net/listener.h"

#include <gtest/gtest.h>

namespace vigie::net {
namespace {

TEST(Listener, workers_share_a_port_with_reuseport) {
  boost::asio::io_context io;
  auto a = open_listener(io, "127.0.0.1", 0);
  uint16_t port = a.local_endpoint().port();
  auto b = open_listener(io, "127.0.0.1", port);
  EXPECT_EQ(b.local_endpoint().port(), port);
}

TEST(Listener, bind_failure_names_the_address) {
  boost::asio::io_context io;
  try {
    (void)open_listener(io, "192.0.2.1", 1);  // TEST-NET: not an address of this machine
    FAIL();
  } catch (const boost::system::system_error& e) {
    EXPECT_NE(std::string(e.what()).find("192.0.2.1:1"), std::string::npos);
  }
}

}  // namespace
}  // namespace vigie::net
