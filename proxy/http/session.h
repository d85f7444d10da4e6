// One client connection, from TLS handshake to close: reads requests one after another (pipelined
// requests are answered in order), runs each through route → pipeline → forward, writes local
// replies, logs and counts. A coroutine spawned on the accepting worker; it never leaves it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <memory>

#include "http/worker_state.h"

namespace vigie::http {

struct ListenerInfo {
  std::shared_ptr<boost::asio::ssl::context> tls;  // null for plain HTTP
};

[[nodiscard]] boost::asio::awaitable<void> serve_connection(WorkerState& w, boost::asio::ip::tcp::socket socket,
                                                            ListenerInfo listener);

}  // namespace vigie::http
