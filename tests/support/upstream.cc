#include "support/upstream.h"

#include <openssl/evp.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <charconv>
#include <list>
#include <nlohmann/json.hpp>

namespace vigie::testing {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr size_t kChunk = 64 * 1024;

std::string hex(const unsigned char* d, size_t n) {
  static constexpr char k[] = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s += k[d[i] >> 4];
    s += k[d[i] & 0xf];
  }
  return s;
}

uint64_t number_after(std::string_view target, std::string_view prefix) {
  std::string_view s = target.substr(prefix.size());
  uint64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

}  // namespace

std::optional<std::string> Recorded::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (beast::iequals(k, name)) return v;
  }
  return std::nullopt;
}

size_t Recorded::count(std::string_view name) const {
  size_t n = 0;
  for (const auto& [k, v] : headers) n += beast::iequals(k, name) ? 1 : 0;
  return n;
}

struct RecordingUpstream::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::unique_ptr<asio::ssl::context> tls;
  mutable std::mutex mu;
  mutable std::condition_variable cv;
  std::vector<Recorded> recorded;
  uint64_t next_connection = 0;  // io thread only
  size_t holds = 0;
  std::list<asio::steady_timer*> hold_timers;  // io thread only
  std::thread thread;

  void record(Recorded r) {
    std::lock_guard lock(mu);
    recorded.push_back(std::move(r));
    cv.notify_all();
  }

  template <class Stream>
  asio::awaitable<bool> read_body(Stream& s, beast::flat_buffer& buf, http::request_parser<http::buffer_body>& p,
                                  Recorded& rec) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr);
    std::vector<char> chunk(kChunk);
    while (!p.is_done()) {
      p.get().body().data = chunk.data();
      p.get().body().size = chunk.size();
      auto [ec, n] = co_await http::async_read_some(s, buf, p, kTuple);
      if (ec == http::error::need_buffer) ec = {};
      if (ec) co_return false;
      size_t got = chunk.size() - p.get().body().size;
      EVP_DigestUpdate(md.get(), chunk.data(), got);
      rec.body_bytes += got;
    }
    unsigned char out[32];
    unsigned len = 0;
    EVP_DigestFinal_ex(md.get(), out, &len);
    rec.body_sha256 = hex(out, len);
    co_return true;
  }

  template <class Stream>
  asio::awaitable<bool> send_bytes(Stream& s, uint64_t total, bool chunked, unsigned version, bool keep_alive) {
    http::response<http::buffer_body> res(http::status::ok, version);
    res.set(http::field::content_type, "application/octet-stream");
    if (chunked) res.chunked(true);
    else res.content_length(total);
    res.keep_alive(keep_alive);
    http::response_serializer<http::buffer_body> sr(res);
    auto [hec, hn] = co_await http::async_write_header(s, sr, kTuple);
    if (hec) co_return false;
    std::vector<char> chunk(kChunk);
    uint64_t sent = 0;
    while (sent < total) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(kChunk, total - sent));
      for (size_t i = 0; i < n; ++i) chunk[i] = pattern_byte(sent + i);
      sent += n;
      res.body().data = chunk.data();
      res.body().size = n;
      res.body().more = sent < total;
      auto [ec, w] = co_await http::async_write(s, sr, kTuple);
      if (ec && ec != http::error::need_buffer) co_return false;
    }
    if (!sr.is_done()) {
      res.body().data = nullptr;
      res.body().size = 0;
      res.body().more = false;
      auto [ec, w] = co_await http::async_write(s, sr, kTuple);
      if (ec && ec != http::error::need_buffer) co_return false;
    }
    co_return true;
  }

  asio::awaitable<void> hold() {
    asio::steady_timer timer(io, asio::steady_timer::time_point::max());
    hold_timers.push_back(&timer);
    auto it = std::prev(hold_timers.end());
    {
      std::lock_guard lock(mu);
      ++holds;
      cv.notify_all();
    }
    co_await timer.async_wait(kTuple);
    hold_timers.erase(it);
  }

  static std::string echo_json(const Recorded& r) {
    nlohmann::json j;
    j["method"] = r.method;
    j["target"] = r.target;
    j["body_bytes"] = r.body_bytes;
    j["body_sha256"] = r.body_sha256;
    nlohmann::json h = nlohmann::json::array();
    for (const auto& [k, v] : r.headers) h.push_back({k, v});
    j["headers"] = h;
    return j.dump();
  }

  static std::string openmrs(std::string_view target) {
    nlohmann::json j;
    if (target.find("/patient") != std::string_view::npos) {
      j["results"] = {{{"uuid", "b52ec6f9-0e26-424c-a4a1-c64f9d571eb3"}, {"display", "100HM - Jeanne Martin"}},
                      {{"uuid", "2c9d1f0a-5a0e-4b8e-9d43-2f1c0f0f6e11"}, {"display", "101HM - Louis Bernard"}}};
    } else {
      j["results"] = nlohmann::json::array();
    }
    return j.dump();
  }

  template <class Stream>
  asio::awaitable<bool> answer(Stream& s, const Recorded& rec, const http::request_parser<http::buffer_body>& p) {
    std::string_view target = rec.target;
    unsigned version = p.get().version();
    bool keep_alive = p.get().keep_alive();
    if (target.starts_with("/bytes/")) {
      co_return co_await send_bytes(s, number_after(target.substr(0, target.find('?')), "/bytes/"),
                                    target.find("chunked=1") != std::string_view::npos, version, keep_alive);
    }
    http::response<http::string_body> res(http::status::ok, version);
    res.set(http::field::content_type, "application/json");
    if (target.starts_with("/status/")) {
      res.result(static_cast<unsigned>(number_after(target, "/status/")));
      res.body() = "{\"status\":" + std::to_string(res.result_int()) + "}";
    } else if (target.starts_with("/hold")) {
      co_await hold();
      res.body() = "{\"released\":true}";
    } else if (target.starts_with("/close")) {
      std::string raw = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nclose-delimited-body";
      co_await asio::async_write(s, asio::buffer(raw), kTuple);
      co_return false;
    } else if (target.starts_with("/openmrs/ws/rest/v1/")) {
      res.body() = openmrs(target);
    } else {
      res.body() = echo_json(rec);
    }
    res.set("X-Upstream-Hop", "drop-me");
    res.set(http::field::connection, keep_alive ? "X-Upstream-Hop" : "close, X-Upstream-Hop");
    res.keep_alive(keep_alive);
    res.prepare_payload();
    if (p.get().method() == http::verb::head) {
      http::response_serializer<http::string_body> sr(res);
      auto [ec, n] = co_await http::async_write_header(s, sr, kTuple);
      co_return !ec && keep_alive;
    }
    auto [ec, n] = co_await http::async_write(s, res, kTuple);
    co_return !ec && keep_alive;
  }

  asio::awaitable<void> websocket_echo(beast::tcp_stream stream, const http::request<http::buffer_body>& req) {
    beast::websocket::stream<beast::tcp_stream> ws(std::move(stream));
    http::request<http::empty_body> head(req.base());
    auto [ec] = co_await ws.async_accept(head, kTuple);
    if (ec) co_return;
    for (;;) {
      beast::flat_buffer b;
      auto [rec, n] = co_await ws.async_read(b, kTuple);
      if (rec) co_return;
      ws.text(ws.got_text());
      auto [wec, w] = co_await ws.async_write(b.data(), kTuple);
      if (wec) co_return;
    }
  }

  template <class Stream>
  asio::awaitable<void> serve(Stream s) {
    beast::flat_buffer buf;
    uint64_t connection = ++next_connection;
    for (;;) {
      http::request_parser<http::buffer_body> p;
      p.body_limit(boost::none);
      auto [ec, n] = co_await http::async_read_header(s, buf, p, kTuple);
      if (ec) co_return;
      Recorded rec;
      rec.method = std::string(p.get().method_string());
      rec.target = std::string(p.get().target());
      rec.chunked = p.chunked();
      rec.connection = connection;
      for (const auto& f : p.get()) rec.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
      if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
        if (beast::websocket::is_upgrade(p.get())) {
          record(rec);
          co_await websocket_echo(std::move(s), p.get());
          co_return;
        }
      }
      if (!co_await read_body(s, buf, p, rec)) co_return;
      record(rec);
      if (!co_await answer(s, rec, p)) break;
    }
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      boost::system::error_code ec;
      s.socket().shutdown(tcp::socket::shutdown_send, ec);
    }
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, sock] = co_await acceptor.async_accept(kTuple);
      if (ec) co_return;
      if (tls) {
        asio::co_spawn(io, serve_tls(std::move(sock)), asio::detached);
      } else {
        asio::co_spawn(io, serve(beast::tcp_stream(std::move(sock))), asio::detached);
      }
    }
  }

  asio::awaitable<void> serve_tls(tcp::socket sock) {
    asio::ssl::stream<beast::tcp_stream> s(beast::tcp_stream(std::move(sock)), *tls);
    auto [ec] = co_await s.async_handshake(asio::ssl::stream_base::server, kTuple);
    if (ec) co_return;
    co_await serve(std::move(s));
  }
};

RecordingUpstream::RecordingUpstream() : RecordingUpstream(Options{}) {}

RecordingUpstream::RecordingUpstream(Options o) : impl_(std::make_unique<Impl>()) {
  tcp::endpoint ep(asio::ip::make_address(o.address), o.port);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  port_ = impl_->acceptor.local_endpoint().port();
  if (!o.cert_file.empty()) {
    impl_->tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    impl_->tls->use_certificate_chain_file(o.cert_file);
    impl_->tls->use_private_key_file(o.key_file, asio::ssl::context::pem);
  }
  asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

RecordingUpstream::~RecordingUpstream() {
  impl_->io.stop();
  impl_->thread.join();
}

std::vector<Recorded> RecordingUpstream::requests() const {
  std::lock_guard lock(impl_->mu);
  return impl_->recorded;
}

size_t RecordingUpstream::count() const {
  std::lock_guard lock(impl_->mu);
  return impl_->recorded.size();
}

bool RecordingUpstream::wait_for(size_t n, std::chrono::seconds timeout) const {
  std::unique_lock lock(impl_->mu);
  return impl_->cv.wait_for(lock, timeout, [&] { return impl_->recorded.size() >= n; });
}

bool RecordingUpstream::wait_for_holds(size_t n, std::chrono::seconds timeout) const {
  std::unique_lock lock(impl_->mu);
  return impl_->cv.wait_for(lock, timeout, [&] { return impl_->holds >= n; });
}

void RecordingUpstream::release_holds() {
  asio::post(impl_->io, [this] {
    for (auto* t : impl_->hold_timers) t->cancel();
  });
}

}  // namespace vigie::testing
