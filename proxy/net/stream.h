// One stream type for plain TCP and TLS connections, downstream and upstream, so the HTTP session
// and the forwarder are compiled once instead of once per transport combination. It satisfies
// Asio's AsyncReadStream/AsyncWriteStream by dispatching on a variant. Owned by one worker.
#pragma once

#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <variant>

namespace vigie::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
using TlsStream = asio::ssl::stream<beast::tcp_stream>;

class Stream {
 public:
  using executor_type = beast::tcp_stream::executor_type;

  explicit Stream(beast::tcp_stream s) : v_(std::move(s)) {}
  explicit Stream(TlsStream s) : v_(std::move(s)) {}
  Stream(Stream&&) = default;

  executor_type get_executor() { return tcp().get_executor(); }
  beast::tcp_stream& tcp() {
    if (auto* t = std::get_if<TlsStream>(&v_)) return t->next_layer();
    return std::get<beast::tcp_stream>(v_);
  }
  [[nodiscard]] bool is_tls() const { return std::holds_alternative<TlsStream>(v_); }
  TlsStream* tls() { return std::get_if<TlsStream>(&v_); }

  template <class Buffers, class Token>
  auto async_read_some(const Buffers& b, Token&& token) {
    return std::visit([&](auto& s) { return s.async_read_some(b, std::forward<Token>(token)); }, v_);
  }
  template <class Buffers, class Token>
  auto async_write_some(const Buffers& b, Token&& token) {
    return std::visit([&](auto& s) { return s.async_write_some(b, std::forward<Token>(token)); }, v_);
  }

  void close() {
    boost::system::error_code ec;
    tcp().socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    tcp().close();
  }

 private:
  std::variant<beast::tcp_stream, TlsStream> v_;
};

}  // namespace vigie::net
