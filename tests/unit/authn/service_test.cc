// Service::authenticate and the logout endpoints on a fake clock: lifetimes, idle expiry, the
// sliding re-issue, revocation by the provider. Sessions are sealed here with the same key ring
// and purpose the service uses, so no provider is needed for these paths.
#include "authn/service.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "crypto/encoding.h"
#include "core/url.h"
#include "crypto/random.h"
#include "session/key_ring.h"

namespace vigie::authn {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

const std::string kIssuer = "https://login.microsoftonline.com/t1/v2.0";

struct Bed {
  core::FakeClock clock;
  oidc::IssuerRegistry issuers{clock};
  std::string key = crypto::random_bytes(32);
  config::Identity cfg = [this] {
    config::Identity c;
    c.provider.issuer = kIssuer;
    c.provider.discovery_url = kIssuer + "/.well-known/openid-configuration";
    c.provider.client_id = "cid";
    c.provider.client_secret = config::Secret{"env X", "s"};
    c.session.keys = config::Secret{"env K", crypto::base64_encode(key)};
    c.session.idle_timeout = 1h;
    c.session.lifetime = 8h;
    return c;
  }();
  Service service{cfg, issuers, clock};
  Caches cache;

  int64_t now() const { return std::chrono::duration_cast<std::chrono::seconds>(clock.wall().time_since_epoch()).count(); }

  std::string cookie(int64_t created, int64_t last_seen, std::string sid = "psid", std::string id = "sess1") {
    crypto::Key k;
    std::copy(key.begin(), key.end(), k.begin());
    session::SessionData s{.id = std::move(id), .issuer = kIssuer, .oid = "o1", .tid = "t1", .sub = "sub1",
                           .preferred_username = "alice@x", .groups = {"g1"}, .sid = std::move(sid),
                           .created = created, .last_seen = last_seen, .tokens_expire = created + 36000};
    return "__Host-vigie=" + session::seal(session::KeyRing::from_keys({k}), "__Host-vigie", session::to_json(s));
  }

  Authenticated run(const std::string& cookie_header, config::AuthMode mode = config::AuthMode::Session,
                    bool browser = true) {
    config::Route route;
    route.auth = mode;
    Request req;
    req.method = "GET";
    req.target = "/openmrs/x";
    req.cookie = cookie_header;
    req.browser = browser;
    std::optional<Authenticated> out;
    asio::io_context io;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> { out = co_await service.authenticate(req, route, cache); },
                   asio::detached);
    io.run();
    return std::move(*out);
  }
};

std::string header(const Authenticated& a, const std::string& name) {
  const auto& hs = a.refusal ? a.refusal->headers : a.response_headers;
  for (const auto& [n, v] : hs) {
    if (n == name) return v;
  }
  return "";
}

TEST(Service, fresh_session_authenticates_without_reissuing_the_cookie) {
  Bed bed;
  auto a = bed.run(bed.cookie(bed.now() - 10, bed.now() - 10));
  ASSERT_TRUE(a.identity);
  EXPECT_EQ(a.identity->user(), "alice@x");
  EXPECT_EQ(a.identity->method, Method::Session);
  EXPECT_TRUE(a.response_headers.empty());
}

TEST(Service, sliding_expiry_reissues_the_cookie_after_a_minute) {
  Bed bed;
  auto a = bed.run(bed.cookie(bed.now() - 600, bed.now() - 61));
  ASSERT_TRUE(a.identity);
  std::string set = header(a, "Set-Cookie");
  EXPECT_TRUE(set.starts_with("__Host-vigie=v1.")) << set;
  // Max-Age is what is left of the absolute lifetime, not a fresh 8 hours.
  EXPECT_NE(set.find("Max-Age=" + std::to_string(8 * 3600 - 600)), std::string::npos) << set;
}

TEST(Service, a_session_is_opened_once_then_served_from_the_worker_cache_until_its_next_touch) {
  Bed bed;
  std::string c = bed.cookie(bed.now() - 10, bed.now() - 10);
  auto first = bed.run(c);
  ASSERT_TRUE(first.identity);
  EXPECT_EQ(bed.cache.sessions.size(), 1u);
  auto second = bed.run(c);
  EXPECT_EQ(second.identity, first.identity);  // the very same identity object: not opened again
  // At the touch (a minute after last_seen) the slow path runs again and re-issues the cookie.
  bed.clock.advance(50s);
  auto touched = bed.run(c);
  ASSERT_TRUE(touched.identity);
  EXPECT_NE(touched.identity, first.identity);
  EXPECT_TRUE(header(touched, "Set-Cookie").starts_with("__Host-vigie=v1."));
}

TEST(Service, a_cached_session_still_ends_at_a_provider_logout_or_a_sign_out) {
  Bed bed;
  std::string by_provider = bed.cookie(bed.now(), bed.now(), "sid-cache", "sess-cache-1");
  std::string signed_out = bed.cookie(bed.now(), bed.now(), "sid-cache-2", "sess-cache-2");
  ASSERT_TRUE(bed.run(by_provider).identity);
  ASSERT_TRUE(bed.run(signed_out).identity);
  EXPECT_EQ(bed.cache.sessions.size(), 2u);
  Revocations::process().revoke_sid(kIssuer, "sid-cache", bed.now(), bed.now() + 3600);
  EXPECT_FALSE(bed.run(by_provider).identity);
  // Sign-out ends the session for any copy of the cookie replayed to this process.
  Request req;
  req.method = "GET";
  req.path = "/oauth2/sign_out";
  req.cookie = signed_out;
  std::optional<EndpointAnswer> answer;
  asio::io_context io;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> { answer = co_await bed.service.endpoint(req, bed.cache, nullptr); },
                 asio::detached);
  io.run();
  ASSERT_TRUE(answer);
  EXPECT_FALSE(bed.run(signed_out).identity);
}

TEST(Service, a_reloaded_service_does_not_trust_another_services_cache_entries) {
  Bed bed;
  std::string c = bed.cookie(bed.now(), bed.now());
  auto first = bed.run(c);
  ASSERT_TRUE(first.identity);
  Service reloaded{bed.cfg, bed.issuers, bed.clock};
  config::Route route;
  route.auth = config::AuthMode::Session;
  Request req;
  req.method = "GET";
  req.target = "/x";
  req.cookie = c;
  std::optional<Authenticated> out;
  asio::io_context io;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> { out = co_await reloaded.authenticate(req, route, bed.cache); },
                 asio::detached);
  io.run();
  ASSERT_TRUE(out->identity);
  EXPECT_NE(out->identity, first.identity);  // opened again with the new snapshot's keys and limits
}

TEST(Service, idle_and_absolute_lifetimes_end_sessions) {
  Bed bed;
  struct Case {
    const char* name;
    int64_t created_ago, seen_ago;
    bool ok;
  };
  for (const auto& c : std::vector<Case>{{"idle_just_under", 3000, 3599, true},
                                         {"idle_reached", 4000, 3600, false},
                                         {"lifetime_just_under", 8 * 3600 - 1, 10, true},
                                         {"lifetime_reached", 8 * 3600, 10, false}}) {
    auto a = bed.run(bed.cookie(bed.now() - c.created_ago, bed.now() - c.seen_ago));
    EXPECT_EQ(a.identity != nullptr, c.ok) << c.name;
    if (!c.ok) {
      EXPECT_EQ(a.refusal->failure, Failure::LoginRedirect) << c.name;
      EXPECT_TRUE(header(a, "Location").starts_with("/oauth2/start?rd=%2Fopenmrs%2Fx")) << c.name;
      EXPECT_TRUE(header(a, "Set-Cookie").starts_with("__Host-vigie=; Path=/; Max-Age=0")) << c.name;
    }
  }
}

TEST(Service, unauthenticated_api_call_gets_a_bearer_challenge) {
  Bed bed;
  auto a = bed.run("", config::AuthMode::Session, false);
  ASSERT_TRUE(a.refusal);
  EXPECT_EQ(a.refusal->failure, Failure::Unauthenticated);
  EXPECT_EQ(header(a, "WWW-Authenticate"), "Bearer realm=\"vigie\"");
}

TEST(Service, cookie_and_bearer_on_a_bearer_route_are_ambiguous) {
  Bed bed;
  config::Route route;
  route.auth = config::AuthMode::Bearer;
  Request req;
  std::string cookie = bed.cookie(bed.now(), bed.now());
  req.cookie = cookie;  // Request holds views
  req.authorization = "Bearer x.y.z";
  std::optional<Authenticated> out;
  asio::io_context io;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> { out = co_await bed.service.authenticate(req, route, bed.cache); },
                 asio::detached);
  io.run();
  ASSERT_TRUE(out->refusal);
  EXPECT_EQ(out->refusal->failure, Failure::AmbiguousCredentials);
}

TEST(Service, front_channel_logout_ends_the_named_provider_session_only) {
  Bed bed;
  std::string mine = bed.cookie(bed.now(), bed.now(), "sid-1");
  std::string other = bed.cookie(bed.now(), bed.now(), "sid-2");
  Request req;
  req.method = "GET";
  req.path = "/oauth2/frontchannel_logout";
  std::string query = "iss=" + core::url_encode(kIssuer) + "&sid=sid-1";
  req.query = query;
  std::optional<EndpointAnswer> answer;
  asio::io_context io;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> { answer = co_await bed.service.endpoint(req, bed.cache, nullptr); },
                 asio::detached);
  io.run();
  ASSERT_TRUE(std::holds_alternative<Reply>(*answer));
  EXPECT_FALSE(bed.run(mine).identity);
  EXPECT_TRUE(bed.run(other).identity);
  // Another issuer cannot name sessions to end.
  std::string forged = "iss=" + core::url_encode("https://evil.example/t1/v2.0") + "&sid=sid-2";
  req.query = forged;
  io.restart();
  asio::co_spawn(io, [&]() -> asio::awaitable<void> { answer = co_await bed.service.endpoint(req, bed.cache, nullptr); },
                 asio::detached);
  io.run();
  EXPECT_TRUE(bed.run(other).identity);
  // Entra may send the sid alone: it names a session of the configured issuer.
  std::string third = bed.cookie(bed.now(), bed.now(), "sid-3");
  std::string sid_only = "sid=sid-3";
  req.query = sid_only;
  io.restart();
  asio::co_spawn(io, [&]() -> asio::awaitable<void> { answer = co_await bed.service.endpoint(req, bed.cache, nullptr); },
                 asio::detached);
  io.run();
  EXPECT_FALSE(bed.run(third).identity);
  EXPECT_TRUE(bed.run(other).identity);
}

}  // namespace
}  // namespace vigie::authn
