#include "upstream/connect.h"

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace vigie::upstream {
namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

asio::awaitable<std::pair<tcp::resolver::results_type, bool>> resolve(const config::Endpoint& e) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver(ex);
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(e.host, ec);
  if (!ec) {
    co_return std::pair{tcp::resolver::results_type::create(tcp::endpoint(addr, e.port), e.host,
                                                            std::to_string(e.port)),
                        true};
  }
  auto [rec, results] = co_await resolver.async_resolve(e.host, std::to_string(e.port), kTuple);
  co_return std::pair{results, !rec};
}

bool prepare_tls(net::TlsStream& s, const Cluster& c, const config::Endpoint& e) {
  const std::string& name = c.cfg->tls.server_name.empty() ? e.host : c.cfg->tls.server_name;
  SSL* ssl = s.native_handle();
  boost::system::error_code ec;
  (void)asio::ip::make_address(name, ec);
  bool is_ip = !ec, ok = true;
  if (!is_ip) ok &= SSL_set_tlsext_host_name(ssl, name.c_str()) == 1;  // SNI takes names only
  // Verify that the certificate names the host we meant to reach, not just any trusted host.
  ok &= (is_ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str())
               : SSL_set1_host(ssl, name.c_str())) == 1;
  return ok;
}

}  // namespace

asio::awaitable<Connected> connect(const Cluster& c, size_t index, Pool& pool) {
  const config::Endpoint& e = c.cfg->endpoints[index];
  auto ex = co_await asio::this_coro::executor;
  auto [results, resolved] = co_await resolve(e);
  if (!resolved) co_return Connected{nullptr, ConnectError::Refused};

  beast::tcp_stream tcp_s(ex);
  tcp_s.expires_after(c.cfg->connect_timeout);
  auto [ec, ep] = co_await tcp_s.async_connect(results, kTuple);
  if (ec) co_return Connected{nullptr, ec == beast::error::timeout ? ConnectError::Timeout : ConnectError::Refused};
  tcp_s.socket().set_option(tcp::no_delay(true));

  uint32_t* count = pool.open_count(c.cfg->name);
  if (!e.tls) co_return Connected{std::make_unique<Connection>(net::Stream(std::move(tcp_s)), count)};

  net::TlsStream tls(std::move(tcp_s), *c.tls);
  if (!prepare_tls(tls, c, e)) co_return Connected{nullptr, ConnectError::Refused};
  auto [hec] = co_await tls.async_handshake(asio::ssl::stream_base::client, kTuple);
  if (hec) co_return Connected{nullptr, hec == beast::error::timeout ? ConnectError::Timeout : ConnectError::Refused};
  co_return Connected{std::make_unique<Connection>(net::Stream(std::move(tls)), count)};
}

}  // namespace vigie::upstream
