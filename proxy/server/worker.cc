#include "server/worker.h"

#include <sys/socket.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include "net/listener.h"
#include "observe/log.h"

namespace vigie::server {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// Nothing on the request path throws by design; if something does (a bug), the connection is
// dropped and the reason must be visible instead of silently swallowed by asio::detached.
void log_escaped_exception(const std::exception_ptr& e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    observe::log_error(std::string("connection ended by an exception: ") + ex.what());
  } catch (...) {
    observe::log_error("connection ended by an unknown exception");
  }
}
constexpr std::string_view kBusy =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: 51\r\n"
    "Connection: close\r\nRetry-After: 1\r\n\r\n{\"error\":\"connection_limit\",\"message\":\"Too busy.\"}\n";
}  // namespace

Worker::Worker(unsigned id, observe::Metrics& metrics, const observe::AccessLog& log,
               std::atomic<uint32_t>& connections, uint32_t max_connections, audit::Trails* trails)
    : id_(id), state_(metrics, log, connections), max_connections_(max_connections) {
  state_.trails = trails;
}

Worker::~Worker() {
  stop();
  join();
}

void Worker::listen(const std::vector<BoundListener>& listeners) {
  for (const auto& l : listeners) {
    acceptors_.emplace_back(net::open_listener(io_, l.address, l.port), http::ListenerInfo{l.tls});
  }
}

std::vector<uint16_t> Worker::ports() const {
  std::vector<uint16_t> out;
  for (const auto& [acc, info] : acceptors_) out.push_back(acc.local_endpoint().port());
  return out;
}

void Worker::start(std::shared_ptr<const http::Snapshot> snapshot) {
  state_.snapshot = std::move(snapshot);
  for (auto& [acc, info] : acceptors_) asio::co_spawn(io_, accept_loop(acc, info), asio::detached);
  thread_ = std::thread([this] { io_.run(); });
}

void Worker::publish(std::shared_ptr<const http::Snapshot> snapshot) {
  asio::post(io_, [this, s = std::move(snapshot)]() mutable { state_.snapshot = std::move(s); });
}

void Worker::drain(std::function<void()> done) {
  asio::post(io_, [this, done = std::move(done)] {
    state_.draining = true;
    state_.on_drained = done;
    for (auto& [acc, info] : acceptors_) {
      boost::system::error_code ec;
      acc.close(ec);
    }
    // Connections waiting for their next request have nothing in flight: close them now. Busy ones
    // finish their request, answer with Connection: close, and end.
    std::vector<net::Stream*> waiting;
    for (auto [stream, no_byte_yet] : state_.idle) {
      if (*no_byte_yet) waiting.push_back(stream);
    }
    for (net::Stream* s : waiting) s->close();
    state_.pool.clear();
    if (state_.active == 0) done();
  });
}

void Worker::stop() { io_.stop(); }

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::refuse(tcp::socket& s, const http::ListenerInfo& info) {
  state_.metrics.connections_refused.Increment();
  if (!info.tls) {
    // Best effort, never blocking: the socket buffer of a new connection takes this at once.
    ::send(s.native_handle(), kBusy.data(), kBusy.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  }
  boost::system::error_code ec;
  s.close(ec);
}

asio::awaitable<void> Worker::accept_loop(tcp::acceptor& acc, http::ListenerInfo info) {
  while (auto accepted = co_await net::accept_next(acc)) {
    tcp::socket& sock = *accepted;
    uint32_t open = state_.open_connections.fetch_add(1, std::memory_order_relaxed) + 1;
    if (open > max_connections_ || state_.draining) {
      state_.open_connections.fetch_sub(1, std::memory_order_relaxed);
      refuse(sock, info);
      continue;
    }
    state_.metrics.connections_total.Increment();
    asio::co_spawn(io_, http::serve_connection(state_, std::move(sock), info), log_escaped_exception);
  }
}

}  // namespace vigie::server
