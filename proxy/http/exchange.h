// One request on a client connection: parse the header block, check, route, run the pipeline,
// forward, answer, log. Returns whether the connection may carry another request.
// Worker thread only.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <memory>

#include "http/request_context.h"
#include "http/worker_state.h"

namespace vigie::http {

[[nodiscard]] boost::asio::awaitable<bool> handle_request(WorkerState& w, std::shared_ptr<const Snapshot> snap,
                                                          net::Stream& stream, boost::beast::flat_buffer& buffer,
                                                          size_t header_len, const ConnectionInfo& conn);

}  // namespace vigie::http
