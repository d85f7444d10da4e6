// A blocking HTTP/1.1 test client on a raw loopback socket: sends exact bytes (malformed requests
// included) and reads responses with Beast, keeping leftover bytes for pipelined responses. Every
// read has a timeout so a broken proxy fails the test instead of hanging it. Test thread only.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace vigie::testing {

using Response = boost::beast::http::response<boost::beast::http::string_body>;

class RawClient {
 public:
  explicit RawClient(uint16_t port, std::chrono::seconds timeout = std::chrono::seconds(20));
  void send(std::string_view bytes);
  // The next response, or nullopt when the connection closed (or timed out) first.
  std::optional<Response> read_response(bool head = false);
  // True when the server closes the connection (EOF or reset) before sending anything more.
  bool closed_by_peer();
  boost::asio::ip::tcp::socket& socket() { return socket_; }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

// One request on a fresh connection: "GET /path" plus extra header lines ("Name: value\r\n"...).
std::optional<Response> http_request(uint16_t port, std::string_view method, std::string_view target,
                                     std::string_view extra_headers = "", std::string_view body = "");

// True when a TCP connection to the port is refused.
bool connection_refused(uint16_t port);

}  // namespace vigie::testing
