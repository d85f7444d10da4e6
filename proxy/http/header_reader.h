// Reads one request header block (request line through the empty line) into the connection buffer,
// enforcing the idle keep-alive timeout before the first byte, the request-header deadline after it
// (slowloris), and the request-line and header-size limits before the parser sees a byte.
// Worker thread only.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "config/config.h"
#include "core/result.h"
#include "http/local_reply.h"
#include "net/stream.h"

namespace vigie::http {

enum class HeaderReadError {
  Closed,      // the client closed or went idle before sending a byte: close silently
  Reply,       // a limit or a malformed byte: answer with `reason`, then close
};

struct HeaderReadFailure {
  HeaderReadError kind;
  Reason reason = Reason::BadRequest;
};

// Returns the length of the header block at the start of `buf`. `idle` is true while no byte of
// the request has arrived. A connection's first request gets timeouts.request_header from the
// start; later ones timeouts.idle until their first byte. `idle_read` is the size of the first read
// on an empty buffer, and what an idle connection's buffer keeps (idle_read_bytes).
[[nodiscard]] boost::asio::awaitable<core::Result<size_t, HeaderReadFailure>> read_header_block(
    net::Stream& s, boost::beast::flat_buffer& buf, const config::Limits& limits, const config::Timeouts& timeouts,
    bool first, size_t idle_read, bool& idle);

// The first read for the next request on a connection whose last header block was `last_block`
// bytes long (0: none yet): 2 KB, or enough for a block like the last one, at most 16 KB.
[[nodiscard]] size_t idle_read_bytes(size_t last_block);

// Exposed for tests: scans `data` for a complete header block within the limits.
// Returns the block length, 0 when more bytes are needed, or the refusal reason.
[[nodiscard]] core::Result<size_t, Reason> scan_header_block(std::string_view data, const config::Limits& limits);

}  // namespace vigie::http
