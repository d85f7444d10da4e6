// Streams one HTTP message body from a parser to a serializer through a fixed buffer (Beast's relay
// pattern, asynchronous): memory stays bounded whatever the body size. Used for request bodies
// (client → upstream) and response bodies (upstream → client). Worker thread only.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <memory>

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

template <bool isRequest>
boost::asio::awaitable<RelayResult> relay_body(net::Stream& in, boost::beast::flat_buffer& in_buffer,
                                               boost::beast::http::parser<isRequest, boost::beast::http::buffer_body>& p,
                                               net::Stream& out,
                                               boost::beast::http::serializer<isRequest, boost::beast::http::buffer_body>& sr,
                                               std::chrono::milliseconds read_timeout,
                                               std::chrono::milliseconds write_timeout) {
  namespace http = boost::beast::http;
  constexpr auto kTuple = boost::asio::as_tuple(boost::asio::use_awaitable);
  RelayResult r;
  std::unique_ptr<char[]> buf;
  // Large reads for a body: the connection's buffer may be small while it waits for headers.
  if (!p.is_done() && in_buffer.capacity() < kRelayBufferBytes) in_buffer.reserve(kRelayBufferBytes);
  do {
    auto& body = p.get().body();
    if (!p.is_done()) {
      if (!buf) buf = std::make_unique_for_overwrite<char[]>(kRelayBufferBytes);
      body.data = buf.get();
      body.size = kRelayBufferBytes;
      in.tcp().expires_after(read_timeout);
      auto [ec, n] = co_await http::async_read_some(in, in_buffer, p, kTuple);
      if (ec == http::error::need_buffer) ec = {};
      if (ec) {
        r.read_error = ec;
        co_return r;
      }
      body.size = kRelayBufferBytes - body.size;
      body.data = buf.get();
      body.more = !p.is_done();
      r.body_bytes += body.size;
      // A read that yields no data (a chunk header, or the EOF ending the body) must not hand the
      // serializer an empty buffer: in chunked mode that writes a zero-size chunk, which is the
      // last-chunk marker, ending the body early or twice.
      if (body.size == 0) {
        if (body.more) continue;
        body.data = nullptr;
      }
    } else {
      body.data = nullptr;
      body.size = 0;
      body.more = false;
    }
    out.tcp().expires_after(write_timeout);
    auto [wec, written] = co_await http::async_write(out, sr, kTuple);
    if (wec == http::error::need_buffer) wec = {};
    r.wire_bytes += written;
    if (wec) {
      r.write_error = wec;
      co_return r;
    }
  } while (!p.is_done() && !sr.is_done());
  // The last chunk of a chunked message is written only once the parser is done.
  if (!sr.is_done()) {
    auto& body = p.get().body();
    body.data = nullptr;
    body.size = 0;
    body.more = false;
    out.tcp().expires_after(write_timeout);
    auto [wec, written] = co_await http::async_write(out, sr, kTuple);
    r.wire_bytes += written;
    if (wec && wec != http::error::need_buffer) r.write_error = wec;
  }
  co_return r;
}

}  // namespace vigie::upstream
