#include "net/http_client.h"

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "net/stream.h"

namespace vigie::net {
namespace {

namespace bhttp = beast::http;
using asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
using Clock = std::chrono::steady_clock;

FetchError io_error(const boost::system::error_code& ec) {
  return ec == beast::error::timeout ? FetchError::Timeout : FetchError::Io;
}

// A parse error (or the body cap) is a bad response; anything else is the transport.
FetchError read_error(const boost::system::error_code& ec) {
  bool parse = ec.category() == bhttp::make_error_code(bhttp::error::body_limit).category() &&
               ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
  return parse ? FetchError::BadResponse : io_error(ec);
}

// SNI plus a check that the certificate names the host we meant to reach.
bool prepare_tls(TlsStream& s, const std::string& host) {
  SSL* ssl = s.native_handle();
  boost::system::error_code ec;
  (void)asio::ip::make_address(host, ec);
  if (!ec) return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) == 1;
  return SSL_set_tlsext_host_name(ssl, host.c_str()) == 1 && SSL_set1_host(ssl, host.c_str()) == 1;
}

asio::awaitable<core::Result<Stream, FetchError>> open(const core::Url& url, asio::ssl::context& tls,
                                                       Clock::time_point deadline) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver(ex);
  auto [rec, results] = co_await resolver.async_resolve(url.host, std::to_string(url.port), kTuple);
  if (rec) co_return core::fail(FetchError::Resolve);
  beast::tcp_stream tcp_s(ex);
  tcp_s.expires_at(deadline);
  auto [ec, ep] = co_await tcp_s.async_connect(results, kTuple);
  if (ec) co_return core::fail(ec == beast::error::timeout ? FetchError::Timeout : FetchError::Connect);
  if (!url.tls) co_return Stream(std::move(tcp_s));
  TlsStream s(std::move(tcp_s), tls);
  if (!prepare_tls(s, url.host)) co_return core::fail(FetchError::Tls);
  s.next_layer().expires_at(deadline);
  auto [hec] = co_await s.async_handshake(asio::ssl::stream_base::client, kTuple);
  if (hec) co_return core::fail(hec == beast::error::timeout ? FetchError::Timeout : FetchError::Tls);
  co_return Stream(std::move(s));
}

bhttp::request<bhttp::string_body> make_request(const OutboundRequest& r) {
  bhttp::request<bhttp::string_body> req;
  req.method_string(r.method);
  req.target(r.url.target);
  req.version(11);
  req.set(bhttp::field::host, r.url.origin().substr(r.url.tls ? 8 : 7));
  req.set(bhttp::field::user_agent, "vigie");
  req.set(bhttp::field::accept, "application/json");
  req.set(bhttp::field::connection, "close");
  for (const auto& [name, value] : r.headers) req.set(name, value);
  if (!r.body.empty() || r.method == "POST") {
    if (!r.content_type.empty()) req.set(bhttp::field::content_type, r.content_type);
    req.body() = r.body;
    req.prepare_payload();
  }
  return req;
}

}  // namespace

std::string_view describe(FetchError e) {
  switch (e) {
    case FetchError::Resolve: return "host name did not resolve";
    case FetchError::Connect: return "connection refused or unreachable";
    case FetchError::Tls: return "TLS handshake or certificate verification failed";
    case FetchError::Timeout: return "timed out";
    case FetchError::Io: return "connection broken";
    case FetchError::BadResponse: return "malformed or oversized response";
  }
  return "unknown";
}

asio::awaitable<core::Result<OutboundResponse, FetchError>> fetch(const OutboundRequest& r, asio::ssl::context& tls,
                                                                  std::chrono::milliseconds timeout,
                                                                  size_t max_body) {
  Clock::time_point deadline = Clock::now() + timeout;
  auto opened = co_await open(r.url, tls, deadline);
  if (!opened) co_return core::fail(opened.error());
  Stream& s = *opened;
  s.tcp().expires_at(deadline);
  auto req = make_request(r);
  auto [wec, wn] = co_await bhttp::async_write(s, req, kTuple);
  if (wec) co_return core::fail(io_error(wec));
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(max_body);
  auto [rec, rn] = co_await bhttp::async_read(s, buffer, parser, kTuple);
  s.close();
  if (rec == asio::ssl::error::stream_truncated && parser.is_header_done()) {
    // Many servers close TLS without close_notify after a close-delimited body: treat it as EOF (a
    // cut JSON document still fails to parse upstream of here).
    rec = {};
    if (!parser.is_done()) parser.put_eof(rec);
  }
  if (rec) co_return core::fail(read_error(rec));
  auto& res = parser.get();
  co_return OutboundResponse{static_cast<int>(res.result_int()), std::string(res[bhttp::field::content_type]),
                             std::move(res.body())};
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out += '&';
    out += core::url_encode(k) + "=" + core::url_encode(v);
  }
  return out;
}

}  // namespace vigie::net
