// A tiny HTTP server for the oidc unit tests: answers GET path with a body set by the test and
// counts requests per path. Runs on its own thread and a free loopback port.
#pragma once

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace vigie::testing {

class JsonServer {
 public:
  JsonServer() : acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    boost::asio::co_spawn(io_, accept(), boost::asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~JsonServer() {
    io_.stop();
    thread_.join();
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + path;
  }
  void set(const std::string& path, int status, std::string body) {
    std::lock_guard l(mu_);
    routes_[path] = {status, std::move(body)};
  }
  int hits(const std::string& path) const {
    std::lock_guard l(mu_);
    auto it = hits_.find(path);
    return it == hits_.end() ? 0 : it->second;
  }

 private:
  boost::asio::awaitable<void> accept() {
    for (;;) {
      auto [ec, sock] = co_await acceptor_.async_accept(boost::asio::as_tuple(boost::asio::use_awaitable));
      if (ec) co_return;
      boost::asio::co_spawn(io_, serve(std::move(sock)), boost::asio::detached);
    }
  }
  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket sock) {
    namespace http = boost::beast::http;
    boost::beast::flat_buffer buf;
    http::request<http::string_body> req;
    auto [ec, n] = co_await http::async_read(sock, buf, req, boost::asio::as_tuple(boost::asio::use_awaitable));
    if (ec) co_return;
    std::pair<int, std::string> answer{404, "{}"};
    {
      std::lock_guard l(mu_);
      std::string path(req.target());
      ++hits_[path];
      if (auto it = routes_.find(path); it != routes_.end()) answer = it->second;
    }
    http::response<http::string_body> res(static_cast<http::status>(answer.first), 11);
    res.set(http::field::content_type, "application/json");
    res.body() = answer.second;
    res.prepare_payload();
    co_await http::async_write(sock, res, boost::asio::as_tuple(boost::asio::use_awaitable));
  }

  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
  mutable std::mutex mu_;
  std::map<std::string, std::pair<int, std::string>> routes_;
  std::map<std::string, int> hits_;
};

}  // namespace vigie::testing
