#include "server/admin.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "net/listener.h"

namespace vigie::server {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

bhttp::response<bhttp::string_body> answer(const bhttp::request<bhttp::string_body>& req, const AdminHandlers& h) {
  bhttp::response<bhttp::string_body> res(bhttp::status::ok, req.version());
  res.set(bhttp::field::content_type, "text/plain; charset=utf-8");
  std::string_view target = req.target();
  target = target.substr(0, target.find('?'));
  if (req.method() != bhttp::verb::get && req.method() != bhttp::verb::head) {
    res.result(bhttp::status::method_not_allowed);
    res.body() = "method not allowed\n";
  } else if (target == "/healthz") {
    res.body() = "ok\n";
  } else if (target == "/readyz") {
    bool ready = h.ready();
    res.result(ready ? bhttp::status::ok : bhttp::status::service_unavailable);
    res.body() = ready ? "ready\n" : "not ready\n";
  } else if (target == "/metrics") {
    res.set(bhttp::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    res.body() = h.metrics();
  } else {
    res.result(bhttp::status::not_found);
    res.body() = "not found\n";
  }
  res.keep_alive(req.keep_alive());
  res.prepare_payload();
  if (req.method() == bhttp::verb::head) res.body().clear();
  return res;
}

asio::awaitable<void> serve(beast::tcp_stream stream, const AdminHandlers& h) {
  beast::flat_buffer buf;
  for (;;) {
    bhttp::request_parser<bhttp::string_body> p;
    p.header_limit(8192);
    p.body_limit(0);
    stream.expires_after(std::chrono::seconds(30));
    auto [ec, n] = co_await bhttp::async_read(stream, buf, p, kTuple);
    if (ec) break;
    auto res = answer(p.get(), h);
    auto [wec, w] = co_await bhttp::async_write(stream, res, kTuple);
    if (wec || !res.keep_alive()) break;
  }
  boost::system::error_code ec;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
}

}  // namespace

asio::awaitable<void> admin_accept_loop(asio::ip::tcp::acceptor& acc, const AdminHandlers& h) {
  while (auto sock = co_await net::accept_next(acc)) {
    asio::co_spawn(acc.get_executor(), serve(beast::tcp_stream(std::move(*sock)), h), asio::detached);
  }
}

}  // namespace vigie::server
