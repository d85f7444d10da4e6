// Forwards one parsed request to a cluster and streams the response back to the client: pooled
// keep-alive connections, bounded relay buffers in both directions, one retry on a stale pooled
// connection for requests without a body, and the WebSocket tunnel after a 101. Runs on the worker
// that owns the client connection; never throws; failures are returned as values.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "net/stream.h"
#include "upstream/cluster.h"
#include "upstream/pool.h"

namespace vigie::upstream {

namespace http = boost::beast::http;
using RequestParser = http::request_parser<http::buffer_body>;
using Response = http::response<http::buffer_body>;

// Decides, once the upstream response header is in, whether it may go to the client: the audit
// trail holds a patient-data response until its record is written. Refused: the client gets a
// reply of the caller's choosing instead (Failure::Refused), and the upstream connection is closed.
class ResponseGate {
 public:
  virtual ~ResponseGate() = default;
  [[nodiscard]] virtual boost::asio::awaitable<bool> admit(const http::response_header<>& header,
                                                           std::optional<uint64_t> body_size) = 0;
};

struct Downstream {
  net::Stream& stream;
  boost::beast::flat_buffer& buffer;
  RequestParser& parser;  // header parsed and already rewritten for the upstream; body not yet read
  std::chrono::milliseconds read_timeout;   // between two reads of the request body
  std::chrono::milliseconds write_timeout;  // for each write of the response
  std::chrono::milliseconds tunnel_idle;    // WebSocket tunnel idle limit
  bool head = false;                        // a HEAD request: the response has no body
  bool upgrade = false;                     // a WebSocket upgrade request
  ResponseGate* gate = nullptr;             // none: every response goes through
  std::string_view added_fields;            // field lines sent after the parser's (wire.h append_field)
};

enum class Failure {
  None,
  Overflow,       // the cluster's connection limit on this worker is reached (503)
  Connect,        // no endpoint accepted a TCP or TLS connection (502)
  Timeout,        // connect or response-header timeout (504)
  BadResponse,    // reset, EOF or garbage before a complete response header (502)
  ClientBody,     // the client's body failed: see Outcome::client_error (400/408/413)
  AfterResponse,  // failed once the response had begun: the client connection must close
  Refused,        // the ResponseGate refused the response: nothing of it reached the client
};

struct Outcome {
  Failure failure = Failure::None;
  boost::system::error_code client_error;  // with Failure::ClientBody
  bool response_started = false;
  int status = 0;
  uint64_t bytes_in = 0;   // request body bytes read from the client
  uint64_t bytes_out = 0;  // response bytes written to the client
  std::string_view endpoint;  // pool key of the endpoint that answered (owned by the Cluster)
  double upstream_seconds = 0;
  bool client_keep_alive = true;  // false when the response was delimited by closing the connection
};

// Called once with the upstream response header, before it is written to the client. A non-owning
// reference to a callable (no allocation per request, unlike std::function with captures).
class ResponseHook {
 public:
  template <class F>
  explicit ResponseHook(F& f) : target_(&f), call_([](void* t, Response& r) { (*static_cast<F*>(t))(r); }) {}
  void operator()(Response& r) const { call_(target_, r); }

 private:
  void* target_;
  void (*call_)(void*, Response&);
};

[[nodiscard]] boost::asio::awaitable<Outcome> forward(Downstream& d, const Cluster& cluster, Pool& pool,
                                                      const ResponseHook& on_response);

}  // namespace vigie::upstream
