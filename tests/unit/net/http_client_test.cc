#include "net/http_client.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <nlohmann/json.hpp>

#include "net/tls.h"
#include "support/certs.h"
#include "support/upstream.h"
#include "support/vigie_process.h"

namespace vigie::net {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

core::Result<OutboundResponse, FetchError> run_fetch(const OutboundRequest& req, asio::ssl::context& tls,
                                                     std::chrono::milliseconds timeout = 5s, size_t max = 1 << 20) {
  asio::io_context io;
  std::optional<core::Result<OutboundResponse, FetchError>> out;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> { out = co_await fetch(req, tls, timeout, max); },
                 asio::detached);
  io.run();
  return std::move(*out);
}

OutboundRequest get(const std::string& url) {
  OutboundRequest r;
  r.url = *core::parse_url(url);
  return r;
}

TEST(HttpClient, post_form_reaches_upstream) {
  testing::RecordingUpstream up;
  auto tls = make_client_context("");
  OutboundRequest r = get("http://127.0.0.1:" + std::to_string(up.port()) + "/token?x=1");
  r.method = "POST";
  r.content_type = "application/x-www-form-urlencoded";
  r.body = form_encode({{"grant_type", "authorization_code"}, {"code", "a b&c"}});
  r.headers = {{"Authorization", "Basic abc"}};
  auto res = run_fetch(r, *tls);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  auto seen = up.requests().at(0);
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/token?x=1");
  EXPECT_EQ(seen.header("Authorization"), "Basic abc");
  EXPECT_EQ(seen.body_bytes, r.body.size());
  EXPECT_EQ(r.body, "grant_type=authorization_code&code=a%20b%26c");
}

TEST(HttpClient, https_verifies_the_certificate) {
  std::string dir = testing::make_temp_dir();
  auto pki = testing::make_test_pki(dir);
  testing::RecordingUpstream up({.cert_file = pki.cert_file, .key_file = pki.key_file});
  std::string url = "https://127.0.0.1:" + std::to_string(up.port()) + "/status/201";
  auto trusted = make_client_context(pki.ca_file);
  auto ok = run_fetch(get(url), *trusted);
  ASSERT_TRUE(ok) << describe(ok.error());
  EXPECT_EQ(ok->status, 201);
  // The system store does not know the test CA.
  auto untrusted = make_client_context("");
  auto refused = run_fetch(get(url), *untrusted);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), FetchError::Tls);
}

TEST(HttpClient, oversized_body_is_a_bad_response) {
  testing::RecordingUpstream up;
  auto tls = make_client_context("");
  auto res = run_fetch(get("http://127.0.0.1:" + std::to_string(up.port()) + "/bytes/100000"), *tls, 5s, 1000);
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error(), FetchError::BadResponse);
}

TEST(HttpClient, silent_server_times_out) {
  asio::io_context io;
  asio::ip::tcp::acceptor acc(io, {asio::ip::make_address("127.0.0.1"), 0});  // accepts in the backlog, never answers
  auto tls = make_client_context("");
  auto res = run_fetch(get("http://127.0.0.1:" + std::to_string(acc.local_endpoint().port()) + "/"), *tls, 200ms);
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error(), FetchError::Timeout);
}

TEST(HttpClient, refused_connection) {
  uint16_t port;
  {
    asio::io_context io;
    asio::ip::tcp::acceptor acc(io, {asio::ip::make_address("127.0.0.1"), 0});
    port = acc.local_endpoint().port();
  }
  auto tls = make_client_context("");
  auto res = run_fetch(get("http://127.0.0.1:" + std::to_string(port) + "/"), *tls);
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error(), FetchError::Connect);
}

}  // namespace
}  // namespace vigie::net
