// A worker: one thread running one io_context, its own SO_REUSEPORT acceptors, its upstream pool and
// the connections it accepted, for life. The main thread talks to it only by posting to its
// io_context (new snapshot, drain). Created and joined by Server.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "http/session.h"
#include "http/worker_state.h"

namespace vigie::server {

struct BoundListener {
  std::string name;
  std::string address;
  uint16_t port;  // the bound port (resolved when the config asked for 0)
  std::shared_ptr<boost::asio::ssl::context> tls;
};

class Worker {
 public:
  Worker(unsigned id, observe::Metrics& metrics, const observe::AccessLog& log, std::atomic<uint32_t>& connections,
         uint32_t max_connections, audit::Trails* trails);
  ~Worker();

  // Main thread, before start(): binds this worker's acceptor for each listener.
  void listen(const std::vector<BoundListener>& listeners);
  // The ports bound by listen(), in listener order.
  [[nodiscard]] std::vector<uint16_t> ports() const;
  void start(std::shared_ptr<const http::Snapshot> snapshot);
  // Main thread: hand over a new snapshot; requests in flight keep theirs.
  void publish(std::shared_ptr<const http::Snapshot> snapshot);
  // Main thread: stop accepting, close idle keep-alive connections, let in-flight requests finish.
  // `done` runs on the worker thread once its last connection has closed.
  void drain(std::function<void()> done);
  void stop();
  void join();

 private:
  boost::asio::awaitable<void> accept_loop(boost::asio::ip::tcp::acceptor& acc, http::ListenerInfo info);
  void refuse(boost::asio::ip::tcp::socket& s, const http::ListenerInfo& info);

  unsigned id_;
  // Declared before io_ so it is destroyed after it: coroutine frames destroyed with the
  // io_context still release pooled connections and counters held here.
  http::WorkerState state_;
  // Only this worker's thread does I/O on its sockets; the main thread posts (scheduler lock) and
  // registers acceptors before the thread starts (registration lock). Per-descriptor I/O locks go.
  boost::asio::io_context io_{static_cast<int>(BOOST_ASIO_CONCURRENCY_HINT_ID |
                                               BOOST_ASIO_CONCURRENCY_HINT_LOCKING_SCHEDULER |
                                               BOOST_ASIO_CONCURRENCY_HINT_LOCKING_REACTOR_REGISTRATION)};
  uint32_t max_connections_;
  std::vector<std::pair<boost::asio::ip::tcp::acceptor, http::ListenerInfo>> acceptors_;
  std::thread thread_;
};

}  // namespace vigie::server
