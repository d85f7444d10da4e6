// Streams one HTTP message body from a parser to a stream through a fixed buffer (Beast's relay
// pattern, asynchronous, with our own chunked framing): memory stays bounded whatever the body size. Used for request bodies
// (client → upstream) and response bodies (upstream → client). Worker thread only.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/asio/write.hpp>
#include <array>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "net/stream.h"

namespace vigie::upstream {

constexpr size_t kRelayBufferBytes = 32 * 1024;

struct RelayResult {
  boost::system::error_code read_error;   // from the side being read
  boost::system::error_code write_error;  // from the side being written
  uint64_t body_bytes = 0;                // body bytes read
  uint64_t wire_bytes = 0;                // bytes written, framing included
  [[nodiscard]] bool ok() const { return !read_error && !write_error; }
};

// Reads the body from `p` and writes it to `out`, chunk-encoded when `chunked`, raw otherwise.
// `head` holds bytes still to send before the body (a message head); they share the first write.
template <bool isRequest>
boost::asio::awaitable<RelayResult> relay_body(net::Stream& in, boost::beast::flat_buffer& in_buffer,
                                               boost::beast::http::parser<isRequest, boost::beast::http::buffer_body>& p,
                                               net::Stream& out, std::string& head, bool chunked,
                                               std::chrono::milliseconds read_timeout,
                                               std::chrono::milliseconds write_timeout) {
  namespace http = boost::beast::http;
  namespace asio = boost::asio;
  constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
  static constexpr std::string_view kCrlf = "\r\n", kLastChunk = "0\r\n\r\n";
  RelayResult r;
  std::unique_ptr<char[]> buf;
  // Large reads for a body: the connection's buffer may be small while it waits for headers.
  if (!p.is_done() && in_buffer.capacity() < kRelayBufferBytes) in_buffer.reserve(kRelayBufferBytes);
  do {
    size_t n = 0;
    if (!p.is_done()) {
      if (!buf) buf = std::make_unique_for_overwrite<char[]>(kRelayBufferBytes);
      auto& body = p.get().body();
      body.data = buf.get();
      body.size = kRelayBufferBytes;
      in.tcp().expires_after(read_timeout);
      auto [ec, used] = co_await http::async_read_some(in, in_buffer, p, kTuple);
      if (ec == http::error::need_buffer) ec = {};
      if (ec) {
        r.read_error = ec;
        co_return r;
      }
      n = kRelayBufferBytes - body.size;
      r.body_bytes += n;
      if (n == 0 && !p.is_done()) continue;  // only framing was parsed (a chunk header)
    }
    char size_line[24];
    size_t size_len = chunked && n > 0 ? static_cast<size_t>(std::snprintf(size_line, sizeof size_line, "%zx\r\n", n)) : 0;
    std::array<asio::const_buffer, 5> out_bufs = {
        asio::buffer(head), asio::buffer(size_line, size_len), asio::buffer(buf.get(), n),
        asio::buffer(kCrlf.data(), size_len ? kCrlf.size() : 0),
        asio::buffer(kLastChunk.data(), chunked && p.is_done() ? kLastChunk.size() : 0)};
    if (asio::buffer_size(out_bufs) == 0) continue;
    out.tcp().expires_after(write_timeout);
    auto [wec, written] = co_await asio::async_write(out, out_bufs, kTuple);
    r.wire_bytes += written;
    head.clear();
    if (wec) {
      r.write_error = wec;
      co_return r;
    }
  } while (!p.is_done());
  co_return r;
}

}  // namespace vigie::upstream
