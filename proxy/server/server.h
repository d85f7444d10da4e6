// The process: builds the first snapshot, binds listeners, starts the workers, serves the admin
// listener and handles signals (SIGHUP reload, SIGTERM/SIGINT drain) on the main thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "audit/trails.h"
#include "config/config.h"
#include "http/snapshot.h"
#include "observe/access_log.h"
#include "observe/metrics.h"
#include "server/admin.h"
#include "server/worker.h"

namespace vigie::server {

class Server {
 public:
  Server(std::string config_path, std::shared_ptr<const config::Config> cfg);
  // Runs until drained after SIGTERM/SIGINT. Returns the process exit code. When ready_fd >= 0, a
  // JSON line with the bound ports is written to it once Vigie is ready, and it is closed.
  int run(int ready_fd);

 private:
  bool bind_all();
  void announce(int ready_fd) const;
  void reload();
  void begin_drain();
  void wait_signals();
  void open_trails();
  boost::asio::awaitable<void> refresh_issuers();

  std::string config_path_;
  std::shared_ptr<const config::Config> config_;
  boost::asio::io_context io_{1};
  observe::Metrics metrics_;
  observe::AccessLog access_log_;
  std::atomic<uint32_t> connections_{0};
  oidc::IssuerRegistry issuers_;
  std::shared_ptr<const http::Snapshot> snapshot_;
  std::unique_ptr<audit::Trails> trails_;  // before workers_: destroyed after them
  std::vector<BoundListener> listeners_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> admin_;
  AdminHandlers admin_handlers_;
  std::atomic<bool> ready_{false};
  bool draining_ = false;
  size_t drained_ = 0;
};

}  // namespace vigie::server
