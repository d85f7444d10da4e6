#include "http/header_reader.h"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace vigie::http {
namespace asio = boost::asio;

constexpr size_t kIdleBufferBytes = 2048;
constexpr size_t kMaxIdleBufferBytes = 16384;

size_t idle_read_bytes(size_t last_block) {
  // A KB of room for a cookie that grew, rounded up to whole KB.
  size_t want = (last_block + 2047) / 1024 * 1024;
  return std::clamp(want, kIdleBufferBytes, kMaxIdleBufferBytes);
}

core::Result<size_t, Reason> scan_header_block(std::string_view data, const config::Limits& limits) {
  size_t line_end = data.find('\n');
  size_t line_len = line_end == std::string_view::npos ? data.size() : line_end;
  if (line_len > limits.request_line_bytes) return core::fail(Reason::UriTooLong);
  size_t end = data.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    // A bare LF ends a line for some parsers and not for others: refuse it rather than guess.
    for (size_t i = 0; i < data.size(); ++i) {
      if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r')) return core::fail(Reason::BadFraming);
    }
    if (data.size() > size_t(limits.request_line_bytes) + limits.header_bytes) {
      return core::fail(Reason::HeadersTooLarge);
    }
    return 0;
  }
  if (end + 4 - line_len > size_t(limits.header_bytes) + 4) return core::fail(Reason::HeadersTooLarge);
  return end + 4;
}

asio::awaitable<core::Result<size_t, HeaderReadFailure>> read_header_block(net::Stream& s,
                                                                           boost::beast::flat_buffer& buf,
                                                                           const config::Limits& limits,
                                                                           const config::Timeouts& timeouts,
                                                                           bool first, size_t idle_read,
                                                                           bool& idle) {
  auto as_view = [&] {
    auto d = buf.data();
    return std::string_view(static_cast<const char*>(d.data()), d.size());
  };
  // RFC 9112 §2.2: ignore empty lines before a request line.
  while (as_view().starts_with("\r\n")) buf.consume(2);
  idle = buf.size() == 0;
  // An idle keep-alive connection holds a buffer the size of its last header block (2 KB for most;
  // a signed-in browser's cookie needs more, and two reads per request cost more than the memory),
  // and a body relay that grew it (relay.h) gives the memory back here.
  if (idle && buf.capacity() > idle_read) buf.shrink_to_fit();
  s.tcp().expires_after(idle && !first ? timeouts.idle : timeouts.request_header);
  for (;;) {
    if (buf.size() > 0) {
      auto scanned = scan_header_block(as_view(), limits);
      if (!scanned) co_return core::fail(HeaderReadFailure{HeaderReadError::Reply, scanned.error()});
      if (*scanned > 0) co_return *scanned;
    }
    size_t want = buf.size() == 0 ? idle_read : kMaxIdleBufferBytes;
    auto [ec, n] = co_await s.async_read_some(buf.prepare(want), asio::as_tuple(asio::use_awaitable));
    buf.commit(n);
    if (ec) {
      if (idle || buf.size() == 0) co_return core::fail(HeaderReadFailure{HeaderReadError::Closed});
      Reason r = ec == boost::beast::error::timeout ? Reason::HeaderTimeout : Reason::BadRequest;
      co_return core::fail(HeaderReadFailure{HeaderReadError::Reply, r});
    }
    if (idle && n > 0) {
      // The first byte of a request starts the header deadline: a slow client gets
      // timeouts.request_header for the whole block, however it trickles it in.
      idle = false;
      s.tcp().expires_after(timeouts.request_header);
    }
  }
}

}  // namespace vigie::http
