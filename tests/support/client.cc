#include "support/client.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <cstdio>
#include <cstdlib>

#include <boost/asio/write.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

namespace vigie::testing {
namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

RawClient::RawClient(uint16_t port, std::chrono::seconds timeout) : socket_(io_) {
  socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  timeval tv{static_cast<time_t>(timeout.count()), 0};
  ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

void RawClient::send(std::string_view bytes) { asio::write(socket_, asio::buffer(bytes)); }

std::optional<Response> RawClient::read_response(bool head) {
  http::response_parser<http::string_body> p;
  p.body_limit(boost::none);
  p.header_limit(64 * 1024);  // a session re-issued in chunked cookies exceeds Beast's 8 KiB default
  p.skip(head);
  boost::system::error_code ec;
  http::read(socket_, buffer_, p, ec);
  if (ec) {
    if (std::getenv("VIGIE_TEST_DEBUG")) std::fprintf(stderr, "read_response: %s\n", ec.message().c_str());
    return std::nullopt;
  }
  return p.release();
}

bool RawClient::closed_by_peer() {
  if (buffer_.size() > 0) {
    if (std::getenv("VIGIE_TEST_DEBUG")) {
      std::fprintf(stderr, "closed_by_peer: %zu unread bytes: %.*s\n", buffer_.size(), static_cast<int>(buffer_.size()),
                   static_cast<const char*>(buffer_.data().data()));
    }
    return false;
  }
  char c;
  boost::system::error_code ec;
  size_t n = socket_.read_some(asio::buffer(&c, 1), ec);
  if (std::getenv("VIGIE_TEST_DEBUG")) std::fprintf(stderr, "closed_by_peer: n=%zu ec=%s\n", n, ec.message().c_str());
  return n == 0 && (ec == asio::error::eof || ec == asio::error::connection_reset);
}

std::optional<Response> http_request(uint16_t port, std::string_view method, std::string_view target,
                                     std::string_view extra_headers, std::string_view body) {
  RawClient c(port);
  std::string req = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: app.test\r\n";
  req += extra_headers;
  if (!body.empty()) req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  req += "\r\n";
  req += body;
  c.send(req);
  return c.read_response(method == "HEAD");
}

bool connection_refused(uint16_t port) {
  asio::io_context io;
  tcp::socket s(io);
  boost::system::error_code ec;
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  return ec == asio::error::connection_refused;
}

}  // namespace vigie::testing
