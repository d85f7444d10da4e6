#include "upstream/forwarder.h"

#include <boost/beast/http/read.hpp>
#include <boost/asio/write.hpp>
#include <optional>

#include "upstream/connect.h"
#include "upstream/relay.h"
#include "upstream/tunnel.h"
#include "upstream/wire.h"

namespace vigie::upstream {
namespace asio = boost::asio;
namespace beast = boost::beast;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr uint32_t kUpstreamHeaderLimit = 64 * 1024;
using ResponseParser = http::response_parser<http::buffer_body>;

// What happened on one attempt, before any response byte reached the client.
enum class Attempt { Done, Stale, Failed };

bool is_stale_error(const boost::system::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::ssl::error::stream_truncated;
}

struct Exchange {
  Downstream& d;
  const Cluster& cluster;
  Connection& conn;
  const ResponseHook& on_response;
  Outcome& out;
  std::string head{};  // the message head being sent, request then response

  Attempt fail(Failure f) {
    out.failure = f;
    if (f == Failure::BadResponse) cluster.metrics.bad_responses->Increment();
    return Attempt::Failed;
  }

  asio::awaitable<Attempt> send_request() {
    head.clear();
    append_request_head(head, d.parser.get(), d.added_fields);
    bool chunked = d.parser.get().chunked();
    auto r = co_await relay_body(d.stream, d.buffer, d.parser, conn.stream, head, chunked, d.read_timeout,
                                 cluster.cfg->response_timeout);
    out.bytes_in += r.body_bytes;
    if (r.read_error) {
      out.client_error = r.read_error;
      co_return fail(Failure::ClientBody);
    }
    if (r.write_error && retryable() && is_stale_error(r.write_error)) co_return Attempt::Stale;
    if (r.write_error) co_return fail(r.write_error == beast::error::timeout ? Failure::Timeout : Failure::BadResponse);
    co_return Attempt::Done;
  }

  // Reads the final response header, skipping interim 1xx responses (but not 101).
  asio::awaitable<Attempt> read_response_header(std::optional<ResponseParser>& rp, bool stale_ok) {
    for (;;) {
      rp.emplace();
      rp->header_limit(kUpstreamHeaderLimit);
      rp->body_limit(boost::none);  // bodies stream through; the client applies its own limits
      if (d.head) rp->skip(true);
      conn.stream.tcp().expires_after(cluster.cfg->response_timeout);
      auto [ec, n] = co_await http::async_read_header(conn.stream, conn.buffer, *rp, kTuple);
      if (ec == beast::error::timeout) {
        cluster.metrics.timeouts->Increment();
        co_return fail(Failure::Timeout);
      }
      if (ec) co_return (stale_ok && is_stale_error(ec)) ? Attempt::Stale : fail(Failure::BadResponse);
      int status = rp->get().result_int();
      // A 101 answers only an upgrade request; sent unasked it would turn the connection into a tunnel.
      if (status == 101 && !d.upgrade) co_return fail(Failure::BadResponse);
      if (status / 100 != 1 || status == 101) co_return Attempt::Done;
    }
  }

  asio::awaitable<void> send_response(ResponseParser& rp) {
    Response& res = rp.get();
    out.status = res.result_int();
    bool delimited_by_close = !rp.is_done() && !rp.chunked() && !rp.content_length() && !d.head;
    if (d.gate) {
      std::optional<uint64_t> size;
      if (d.head || rp.is_done()) size = 0;
      else if (rp.content_length()) size = *rp.content_length();
      if (!co_await d.gate->admit(res.base(), size)) {
        out.failure = Failure::Refused;
        co_return;
      }
    }
    on_response(res);
    if (delimited_by_close) {
      // An HTTP/1.1 client gets the body chunked; an HTTP/1.0 client gets it up to the close.
      if (d.parser.get().version() >= 11) res.chunked(true);
      else out.client_keep_alive = false;
    }
    head.clear();
    append_response_head(head, res);
    bool body_follows = !d.head && out.status != 101 && !rp.is_done();
    // When body bytes arrived with the header, the relay's first write carries header and body
    // together (one syscall, one packet). Otherwise the header goes now: a client of a slow or
    // streaming response must not wait for the first body byte to see it.
    if (!body_follows || conn.buffer.size() == 0) {
      d.stream.tcp().expires_after(d.write_timeout);
      auto [ec, n] = co_await asio::async_write(d.stream, asio::buffer(head), kTuple);
      head.clear();
      out.bytes_out += n;
      if (ec) {
        out.response_started = true;
        out.failure = Failure::AfterResponse;
        co_return;
      }
    }
    out.response_started = true;
    if (!body_follows) co_return;
    auto r = co_await relay_body(conn.stream, conn.buffer, rp, d.stream, head, res.chunked(),
                                 cluster.cfg->response_timeout, d.write_timeout);
    out.bytes_out += r.wire_bytes;
    // A close-delimited upstream body ends with EOF: that is success, not an error.
    if (r.read_error && !(delimited_by_close && r.read_error == http::error::partial_message)) {
      out.failure = Failure::AfterResponse;
    } else if (r.write_error) {
      out.failure = Failure::AfterResponse;
    }
  }

  // Only a request that is safe to send twice is retried: no body, idempotent method (RFC 9110 §9.2.2).
  bool retryable() const {
    auto m = d.parser.get().method();
    bool idempotent = m == http::verb::get || m == http::verb::head || m == http::verb::options ||
                      m == http::verb::put || m == http::verb::delete_;
    return conn.reused && idempotent && d.parser.is_done();
  }

  asio::awaitable<Attempt> run(std::optional<ResponseParser>& rp) {
    bool may_retry = retryable();
    Attempt a = co_await send_request();
    if (a != Attempt::Done) co_return a;
    auto started = std::chrono::steady_clock::now();
    a = co_await read_response_header(rp, may_retry);
    out.upstream_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (a != Attempt::Done) co_return a;
    cluster.metrics.response_time->Observe(out.upstream_seconds);
    co_await send_response(*rp);
    co_return Attempt::Done;
  }
};

asio::awaitable<std::unique_ptr<Connection>> acquire(const Cluster& c, Pool& pool, bool fresh_only, Outcome& out) {
  size_t n = c.cfg->endpoints.size();
  size_t first = pool.next_endpoint(c.cfg->name, n);
  if (!fresh_only) {
    if (auto conn = pool.take(c.keys[first], c.cfg->idle_timeout)) {
      out.endpoint = c.keys[first];
      co_return conn;
    }
  }
  if (*pool.open_count(c.cfg->name) >= c.max_per_worker) {
    c.metrics.overflow->Increment();
    out.failure = Failure::Overflow;
    co_return nullptr;
  }
  // Try each endpoint once, starting with the round-robin choice.
  ConnectError last = ConnectError::Refused;
  for (size_t i = 0; i < n; ++i) {
    size_t idx = (first + i) % n;
    Connected r = co_await connect(c, idx, pool);
    if (r.conn) {
      out.endpoint = c.keys[idx];
      co_return std::move(r.conn);
    }
    (r.error == ConnectError::Timeout ? c.metrics.timeouts : c.metrics.connect_errors)->Increment();
    last = r.error;
  }
  out.failure = last == ConnectError::Timeout ? Failure::Timeout : Failure::Connect;
  co_return nullptr;
}

}  // namespace

asio::awaitable<Outcome> forward(Downstream& d, const Cluster& cluster, Pool& pool, const ResponseHook& on_response) {
  Outcome out;
  // A reused connection may have been closed by the upstream in the meantime; a request without a
  // body that failed before any response byte is then retried once on a fresh connection.
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::unique_ptr<Connection> conn = co_await acquire(cluster, pool, d.upgrade || attempt > 0, out);
    if (!conn) co_return out;
    std::optional<ResponseParser> rp;
    Exchange ex{d, cluster, *conn, on_response, out};
    Attempt a = co_await ex.run(rp);
    if (a == Attempt::Stale) continue;
    if (a == Attempt::Failed || out.failure != Failure::None) co_return out;
    if (out.status == 101 && d.upgrade) {
      auto bytes = co_await tunnel(d.stream, d.buffer, conn->stream, conn->buffer, d.tunnel_idle);
      out.bytes_in += bytes.client_to_upstream;
      out.bytes_out += bytes.upstream_to_client;
      out.client_keep_alive = false;
      co_return out;
    }
    if (rp->keep_alive() && rp->is_done() && d.parser.is_done() && out.status != 101) {
      pool.give(out.endpoint, std::move(conn), cluster.cfg->idle_timeout);
    }
    co_return out;
  }
  out.failure = Failure::BadResponse;
  co_return out;
}

}  // namespace vigie::upstream
