#include "support/fake_loki.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <condition_variable>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

namespace vigie::testing {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string label_text(const std::map<std::string, std::string>& labels) {
  std::string out = "{";
  for (const auto& [k, v] : labels) {
    if (out.size() > 1) out += ", ";
    out += k + "=\"" + v + "\"";
  }
  return out + "}";
}

}  // namespace

struct FakeLoki::Impl {
  Options opt;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::unique_ptr<asio::ssl::context> tls;
  uint16_t port = 0;
  std::thread thread;

  mutable std::mutex mu;
  mutable std::condition_variable cv;
  std::vector<Entry> entries;
  std::vector<Push> pushes;
  int fail_status = 0;
  int fail_count = 0;
  std::string reject_marker;

  void listen() {
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
    acceptor.open(ep.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(ep);
    acceptor.listen();
    port = acceptor.local_endpoint().port();
    asio::co_spawn(io, accept_loop(), asio::detached);
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

  template <class Stream>
  asio::awaitable<void> serve(Stream s) {
    beast::flat_buffer buf;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(64u << 20);
      auto [ec, n] = co_await http::async_read(s, buf, parser, kTuple);
      if (ec) co_return;
      auto& req = parser.get();
      http::response<http::string_body> res = answer(req);
      res.version(11);
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      auto [wec, wn] = co_await http::async_write(s, res, kTuple);
      if (wec || !res.keep_alive()) co_return;
    }
  }

  http::response<http::string_body> answer(const http::request<http::string_body>& req) {
    http::response<http::string_body> res;
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    if (req.method() == http::verb::get && req.target() == "/ready") {
      res.result(http::status::ok);
      res.body() = "ready\n";
      return res;
    }
    if (req.method() != http::verb::post || req.target() != "/loki/api/v1/push") {
      res.result(http::status::not_found);
      res.body() = "404 page not found\n";
      return res;
    }
    Push p;
    for (const auto& f : req) p.headers[lower(f.name_string())] = std::string(f.value());
    std::vector<Entry> got, refused;
    p.status = push(req, p, got, refused, res.body());
    res.result(static_cast<http::status>(p.status));
    if (p.status == 204) res.body().clear();
    std::lock_guard lk(mu);
    for (auto& e : got) entries.push_back(std::move(e));
    pushes.push_back(std::move(p));
    cv.notify_all();
    return res;
  }

  // Loki's order: tenant, then the request body, then the injected failures (limits, ingesters),
  // then entry validation, which refuses entries one by one and stores the rest.
  int push(const http::request<http::string_body>& req, Push& p, std::vector<Entry>& got,
           std::vector<Entry>& refused, std::string& body) {
    if (opt.require_tenant && !p.headers.contains("x-scope-orgid")) {
      body = "no org id\n";
      return 401;
    }
    if (!std::string_view(req[http::field::content_type]).starts_with("application/json")) {
      body = "loghttp.ParseRequest: snappy: corrupt input\n";
      return 400;
    }
    auto doc = nlohmann::json::parse(req.body(), nullptr, false);
    if (!doc.is_object() || !doc.contains("streams") || !doc["streams"].is_array()) {
      body = "loghttp.ParseRequest: json: cannot unmarshal the push request\n";
      return 400;
    }
    std::vector<Entry> all;
    for (const auto& s : doc["streams"]) {
      if (!s.is_object() || !s.contains("stream") || !s["stream"].is_object() || !s.contains("values")) {
        body = "loghttp.ParseRequest: stream without labels or values\n";
        return 400;
      }
      std::map<std::string, std::string> labels;
      for (const auto& [k, v] : s["stream"].items()) labels[k] = v.is_string() ? v.get<std::string>() : v.dump();
      for (const auto& v : s["values"]) {
        Entry e;
        e.labels = labels;
        const std::string ts = v.is_array() && v.size() >= 2 && v[0].is_string() ? v[0].get<std::string>() : "";
        auto [ptr, ec] = std::from_chars(ts.data(), ts.data() + ts.size(), e.ts_ns);
        if (ts.empty() || ec != std::errc{} || ptr != ts.data() + ts.size() || !v[1].is_string()) {
          body = "loghttp.ParseRequest: a value is not [\"<unix ns>\", \"<line>\"]\n";
          return 400;
        }
        e.line = v[1].get<std::string>();
        all.push_back(std::move(e));
      }
    }
    p.entries = all.size();
    {
      std::lock_guard lk(mu);
      if (fail_count > 0) {
        --fail_count;
        body = fail_status == 429 ? "Ingestion rate limit exceeded for user fake (limit: 4194304 bytes/sec)\n"
                                  : "rpc error: code = Unavailable desc = no healthy ingesters\n";
        return fail_status;
      }
      for (auto& e : all) {
        bool bad = !reject_marker.empty() && e.line.find(reject_marker) != std::string::npos;
        (bad ? refused : got).push_back(std::move(e));
      }
    }
    if (refused.empty()) return 204;
    for (const auto& e : refused) {
      body += "Max entry size '64' bytes exceeded for stream '" + label_text(e.labels) +
              "' while adding an entry with length '" + std::to_string(e.line.size()) + "' bytes\n";
    }
    body += "total ignored: " + std::to_string(refused.size()) + " out of " + std::to_string(all.size()) + "\n";
    return 400;
  }

  // Runs f on the server's thread and waits for it.
  template <class F>
  void on_io(F f) {
    std::promise<void> done;
    asio::post(io, [&] {
      f();
      done.set_value();
    });
    done.get_future().wait();
  }
};

FakeLoki::FakeLoki() : FakeLoki(Options{}) {}

FakeLoki::FakeLoki(Options o) : impl_(std::make_unique<Impl>()) {
  impl_->opt = std::move(o);
  if (!impl_->opt.cert_file.empty()) {
    impl_->tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    impl_->tls->use_certificate_chain_file(impl_->opt.cert_file);
    impl_->tls->use_private_key_file(impl_->opt.key_file, asio::ssl::context::pem);
  }
  impl_->listen();
  impl_->thread = std::thread([this] {
    auto guard = asio::make_work_guard(impl_->io);  // keeps running while the listener is down
    impl_->io.run();
  });
}

FakeLoki::~FakeLoki() {
  impl_->io.stop();
  impl_->thread.join();
}

uint16_t FakeLoki::port() const { return impl_->port; }

std::string FakeLoki::url() const {
  return (impl_->tls ? "https://localhost:" : "http://127.0.0.1:") + std::to_string(impl_->port);
}

void FakeLoki::fail_next(int status, int count) {
  std::lock_guard lk(impl_->mu);
  impl_->fail_status = status;
  impl_->fail_count = count;
}

void FakeLoki::reject_lines_containing(std::string marker) {
  std::lock_guard lk(impl_->mu);
  impl_->reject_marker = std::move(marker);
}

void FakeLoki::go_down() {
  impl_->on_io([this] {
    boost::system::error_code ec;
    impl_->acceptor.close(ec);
  });
}

void FakeLoki::come_back() {
  impl_->on_io([this] { impl_->listen(); });
}

bool FakeLoki::wait_entries(size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lk(impl_->mu);
  return impl_->cv.wait_for(lk, timeout, [&] { return impl_->entries.size() >= n; });
}

bool FakeLoki::wait_pushes(size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lk(impl_->mu);
  return impl_->cv.wait_for(lk, timeout, [&] { return impl_->pushes.size() >= n; });
}

std::vector<FakeLoki::Entry> FakeLoki::entries() const {
  std::lock_guard lk(impl_->mu);
  return impl_->entries;
}

std::vector<FakeLoki::Push> FakeLoki::pushes() const {
  std::lock_guard lk(impl_->mu);
  return impl_->pushes;
}

}  // namespace vigie::testing
