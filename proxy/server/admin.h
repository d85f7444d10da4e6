// The admin listener, on its own address and port, served by the main thread: /healthz (the process
// answers), /readyz (config loaded and listeners bound; 503 while draining), /metrics (Prometheus
// text format). Nothing here touches worker state.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <string>

namespace vigie::server {

struct AdminHandlers {
  std::function<bool()> ready;
  std::function<std::string()> metrics;
};

[[nodiscard]] boost::asio::awaitable<void> admin_accept_loop(boost::asio::ip::tcp::acceptor& acc,
                                                             const AdminHandlers& handlers);

}  // namespace vigie::server
