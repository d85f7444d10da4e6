#include "oidc/issuer.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "jwt/key.h"
#include "unit/oidc/json_server.h"

namespace vigie::oidc {
namespace {

namespace asio = boost::asio;
using testing::JsonServer;

struct Bed {
  JsonServer server;
  jwt::PrivateKey key = jwt::PrivateKey::generate_rsa();
  core::FakeClock clock;
  std::string issuer = server.url("/t/v2.0");

  Bed() {
    server.set("/t/v2.0/.well-known/openid-configuration", 200,
               nlohmann::json{{"issuer", issuer},
                              {"authorization_endpoint", server.url("/t/authorize")},
                              {"token_endpoint", server.url("/t/token")},
                              {"jwks_uri", server.url("/t/keys")}}
                   .dump());
    publish({"k1"});
  }
  void publish(const std::vector<std::string>& kids) {
    nlohmann::json keys = nlohmann::json::array();
    for (const auto& kid : kids) keys.push_back(key.public_jwk(kid));
    server.set("/t/keys", 200, nlohmann::json{{"keys", keys}}.dump());
  }
  IssuerSettings settings() const { return {issuer, issuer + "/.well-known/openid-configuration", "", "", std::chrono::seconds(2), std::chrono::hours(1)}; }
};

template <class F>
void run(F f) {
  asio::io_context io;
  asio::co_spawn(io, f(), asio::detached);
  io.run();
}

TEST(Issuer, first_use_fetches_discovery_and_keys) {
  Bed bed;
  Issuer issuer(bed.settings(), bed.clock);
  EXPECT_EQ(issuer.state(), nullptr);
  std::shared_ptr<const IssuerState> s;
  run([&]() -> asio::awaitable<void> { s = co_await issuer.ready(); });
  ASSERT_TRUE(s);
  EXPECT_EQ(s->metadata->token_endpoint, bed.server.url("/t/token"));
  EXPECT_EQ(s->keys.kids(), std::vector<std::string>{"k1"});
}

TEST(Issuer, concurrent_callers_share_one_fetch) {
  Bed bed;
  Issuer issuer(bed.settings(), bed.clock);
  int ready = 0;
  asio::io_context io;
  for (int i = 0; i < 5; ++i) {
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
      if (co_await issuer.ready()) ++ready;
    }, asio::detached);
  }
  io.run();
  EXPECT_EQ(ready, 5);
  EXPECT_EQ(issuer.fetch_count(), 1);
  EXPECT_EQ(bed.server.hits("/t/keys"), 1);
}

TEST(Issuer, keys_are_kept_when_a_refresh_fails) {
  Bed bed;
  Issuer issuer(bed.settings(), bed.clock);
  run([&]() -> asio::awaitable<void> { co_await issuer.ready(); });
  bed.server.set("/t/keys", 500, "oops");
  run([&]() -> asio::awaitable<void> { co_await issuer.refresh(); });
  auto s = issuer.state();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->keys.size(), 1u);
  EXPECT_NE(s->last_error.find("HTTP 500"), std::string::npos) << s->last_error;
}

TEST(Issuer, unknown_kid_refetch_is_rate_limited) {
  Bed bed;
  Issuer issuer(bed.settings(), bed.clock);
  run([&]() -> asio::awaitable<void> { co_await issuer.ready(); });
  bed.publish({"k1", "k2"});
  run([&]() -> asio::awaitable<void> { co_await issuer.refresh_for_unknown_kid(); });
  EXPECT_EQ(issuer.state()->keys.size(), 2u);
  bed.publish({"k1", "k2", "k3"});
  run([&]() -> asio::awaitable<void> { co_await issuer.refresh_for_unknown_kid(); });
  EXPECT_EQ(issuer.state()->keys.size(), 2u);  // within 5 minutes: no new fetch
  bed.clock.advance(std::chrono::minutes(5));
  run([&]() -> asio::awaitable<void> { co_await issuer.refresh_for_unknown_kid(); });
  EXPECT_EQ(issuer.state()->keys.size(), 3u);
  EXPECT_EQ(bed.server.hits("/t/keys"), 3);
}

TEST(Issuer, unreachable_provider_fails_fast_for_a_while) {
  Bed bed;
  IssuerSettings s = bed.settings();
  s.discovery_url = bed.server.url("/missing");
  Issuer issuer(s, bed.clock);
  std::shared_ptr<const IssuerState> got;
  run([&]() -> asio::awaitable<void> { got = co_await issuer.ready(); });
  EXPECT_EQ(got, nullptr);
  run([&]() -> asio::awaitable<void> { got = co_await issuer.ready(); });
  EXPECT_EQ(bed.server.hits("/missing"), 1);  // the second caller did not wait for another fetch
  bed.clock.advance(std::chrono::seconds(5));
  run([&]() -> asio::awaitable<void> { got = co_await issuer.ready(); });
  EXPECT_EQ(bed.server.hits("/missing"), 2);
}

TEST(Issuer, discovery_without_keys_is_retried_not_kept) {
  Bed bed;
  bed.server.set("/t/keys", 503, "");
  Issuer issuer(bed.settings(), bed.clock);
  std::shared_ptr<const IssuerState> got;
  run([&]() -> asio::awaitable<void> { got = co_await issuer.ready(); });
  ASSERT_TRUE(got);
  EXPECT_EQ(got->keys.size(), 0u);
  bed.publish({"k1"});
  bed.clock.advance(std::chrono::seconds(5));
  run([&]() -> asio::awaitable<void> { got = co_await issuer.ready(); });
  EXPECT_EQ(got->keys.size(), 1u);
}

TEST(IssuerRegistry, same_settings_same_issuer_and_unused_ones_dropped) {
  Bed bed;
  IssuerRegistry reg(bed.clock);
  auto a = reg.get(bed.settings());
  EXPECT_EQ(reg.get(bed.settings()), a);
  IssuerSettings other = bed.settings();
  other.timeout = std::chrono::seconds(9);
  auto b = reg.get(other);
  EXPECT_NE(a, b);
  b.reset();
  (void)reg.get(bed.settings());
  EXPECT_EQ(reg.all().size(), 1u);
}

}  // namespace
}  // namespace vigie::oidc
