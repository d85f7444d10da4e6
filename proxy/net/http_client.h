// Outbound HTTP(S) calls Vigie makes on its own behalf: OpenID discovery, JWKS, token endpoint,
// Microsoft Graph. One request per connection (these calls are rare and go to few hosts), a deadline
// over the whole exchange, certificate and host-name verification, a cap on the response size.
// Runs as a coroutine on the calling thread's io_context (worker or main): never blocks it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/url.h"

namespace vigie::net {

struct OutboundRequest {
  std::string method = "GET";
  core::Url url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // sent with Content-Length when not empty
  std::string content_type;
};

struct OutboundResponse {
  int status = 0;
  std::string content_type;
  std::string body;
};

enum class FetchError {
  Resolve,      // the host name did not resolve
  Connect,      // TCP connect refused or unreachable
  Tls,          // handshake failed, including certificate verification
  Timeout,      // the deadline passed
  Io,           // the connection broke mid-exchange
  BadResponse,  // not HTTP, or the body exceeded the size cap
};

[[nodiscard]] std::string_view describe(FetchError e);

// `tls` is used for https URLs (a client context from make_client_context).
[[nodiscard]] boost::asio::awaitable<core::Result<OutboundResponse, FetchError>> fetch(
    const OutboundRequest& req, boost::asio::ssl::context& tls, std::chrono::milliseconds timeout,
    size_t max_body = 1 << 20);

// application/x-www-form-urlencoded body from pairs.
[[nodiscard]] std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace vigie::net
