#include "net/listener.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <sys/socket.h>

namespace vigie::net {

boost::asio::ip::tcp::acceptor open_listener(boost::asio::io_context& io, const std::string& address,
                                             uint16_t port) {
  namespace ip = boost::asio::ip;
  ip::tcp::endpoint ep(ip::make_address(address), port);
  ip::tcp::acceptor acc(io);
  acc.open(ep.protocol());
  acc.set_option(ip::tcp::acceptor::reuse_address(true));
  int one = 1;
  ::setsockopt(acc.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  boost::system::error_code ec;
  acc.bind(ep, ec);
  if (ec) throw boost::system::system_error(ec, "cannot bind " + address + ":" + std::to_string(port));
  acc.listen(boost::asio::socket_base::max_listen_connections);
  return acc;
}

boost::asio::awaitable<std::optional<boost::asio::ip::tcp::socket>> accept_next(boost::asio::ip::tcp::acceptor& acc) {
  namespace asio = boost::asio;
  constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
  for (;;) {
    auto [ec, sock] = co_await acc.async_accept(kTuple);
    if (ec == asio::error::operation_aborted || !acc.is_open()) co_return std::nullopt;
    if (!ec) co_return std::move(sock);
    asio::steady_timer backoff(acc.get_executor(), std::chrono::milliseconds(50));
    co_await backoff.async_wait(kTuple);
  }
}

}  // namespace vigie::net
