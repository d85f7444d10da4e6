// The WebSocket tunnel: after a 101, bytes are copied both ways until either side closes or the
// tunnel has been idle (no byte in either direction) for the idle limit. Worker thread only.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>

#include "net/stream.h"

namespace vigie::upstream {

struct TunnelBytes {
  uint64_t client_to_upstream = 0;
  uint64_t upstream_to_client = 0;
};

// Bytes already buffered on either side (read past the HTTP headers) are sent first.
[[nodiscard]] boost::asio::awaitable<TunnelBytes> tunnel(net::Stream& client, boost::beast::flat_buffer& client_buf,
                                                         net::Stream& upstream,
                                                         boost::beast::flat_buffer& upstream_buf,
                                                         std::chrono::milliseconds idle);

}  // namespace vigie::upstream
