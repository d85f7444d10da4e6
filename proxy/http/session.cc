#include "http/session.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/write.hpp>

#include "http/exchange.h"
#include "core/request_id.h"
#include "http/header_reader.h"

namespace vigie::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// Keeps the worker's connection counts and idle set right however the coroutine ends.
struct ConnectionGuard {
  WorkerState& w;
  net::Stream* stream = nullptr;
  explicit ConnectionGuard(WorkerState& ws) : w(ws) {
    ++w.active;
    w.metrics.active_connections.Increment();
  }
  ~ConnectionGuard() {
    if (stream) w.idle.erase(stream);
    --w.active;
    w.open_connections.fetch_sub(1, std::memory_order_relaxed);
    w.metrics.active_connections.Decrement();
    if (w.draining && w.active == 0 && w.on_drained) w.on_drained();
  }
};

// Answers a request refused before it could be parsed (limits, malformed framing), and logs it.
asio::awaitable<void> write_early_reply(WorkerState& w, net::Stream& s, Reason r, const ConnectionInfo& conn) {
  const config::Config& cfg = *w.snapshot->config;
  std::string id = core::new_request_id();
  auto res = render(r, ClientPrefs{}, id, 11, false);
  s.tcp().expires_after(cfg.timeouts.request_header);
  auto [ec, n] = co_await bhttp::async_write(s, res, kTuple);
  w.metrics.bad_requests.Increment();
  w.access_log.log({.time = std::chrono::system_clock::now(),
                    .request_id = id,
                    .client = conn.peer_text,
                    .status = static_cast<int>(res.result_int()),
                    .bytes_out = n,
                    .rc_details = info(r).code});
}

asio::awaitable<bool> handshake(net::Stream& s, const config::Timeouts& t) {
  if (!s.tls()) co_return true;
  s.tcp().expires_after(t.request_header);
  auto [ec] = co_await s.tls()->async_handshake(asio::ssl::stream_base::server, kTuple);
  co_return !ec;
}

net::Stream make_stream(asio::ip::tcp::socket socket, const ListenerInfo& l) {
  beast::tcp_stream tcp(std::move(socket));
  if (l.tls) return net::Stream(net::TlsStream(std::move(tcp), *l.tls));
  return net::Stream(std::move(tcp));
}

}  // namespace

asio::awaitable<void> serve_connection(WorkerState& w, asio::ip::tcp::socket socket, ListenerInfo listener) {
  ConnectionGuard guard(w);
  boost::system::error_code ec;
  ConnectionInfo conn;
  conn.peer = socket.remote_endpoint(ec).address();
  if (ec) co_return;
  conn.peer_text = conn.peer.to_string();
  conn.tls = listener.tls != nullptr;
  socket.set_option(asio::ip::tcp::no_delay(true), ec);
  net::Stream stream = make_stream(std::move(socket), listener);
  guard.stream = &stream;

  if (!co_await handshake(stream, w.snapshot->config->timeouts)) co_return;
  beast::flat_buffer buffer;
  bool first = true;
  size_t idle_read = idle_read_bytes(0);
  for (;;) {
    std::shared_ptr<const Snapshot> snap = w.snapshot;  // pinned for this request
    const config::Config& cfg = *snap->config;
    conn.peer_trusted = cfg.trusted_proxies.contains(conn.peer);
    if (w.draining && buffer.size() == 0) break;
    bool idle = true;
    w.idle.emplace(&stream, &idle);
    auto block = co_await read_header_block(stream, buffer, cfg.limits, cfg.timeouts, first, idle_read, idle);
    w.idle.erase(&stream);
    first = false;
    if (!block) {
      if (block.error().kind == HeaderReadError::Reply) {
        co_await write_early_reply(w, stream, block.error().reason, conn);
      } else if (!idle) {
        w.metrics.bad_requests.Increment();  // timed out or cut off in the middle of a header
      }
      break;
    }
    idle_read = idle_read_bytes(*block);
    bool keep_open = co_await handle_request(w, snap, stream, buffer, *block, conn);
    if (!keep_open || w.draining) break;
  }
  if (stream.tls()) {
    stream.tcp().expires_after(std::chrono::seconds(1));
    co_await stream.tls()->async_shutdown(kTuple);
  }
  stream.close();
}

}  // namespace vigie::http
