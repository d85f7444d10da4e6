// Authentication as a snapshot sees it: compiled from config::Identity at load (key ring, session
// store, token client, the issuers it trusts), immutable afterwards and shared by all workers.
// authenticate() decides who calls a route (session cookie, bearer token, or neither); endpoint()
// serves the login prefix (start, callback, sign_out, userinfo, auth). Coroutines on a worker.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>
#include <vector>

#include "authn/assertion.h"
#include "authn/caches.h"
#include "authn/outcome.h"
#include "authn/refresh_flights.h"
#include "authn/revocations.h"
#include "authn/request.h"
#include "config/config.h"
#include "core/clock.h"
#include "oidc/issuer.h"
#include "oidc/login.h"
#include "oidc/token_client.h"
#include "oidc/verifier.h"
#include "session/cookies.h"
#include "session/key_ring.h"
#include "session/store.h"

namespace vigie::authn {

class Service {
 public:
  // Throws std::runtime_error naming the setting when a secret is unusable (key ring, private key).
  Service(const config::Identity& cfg, oidc::IssuerRegistry& issuers,
          const core::Clock& clock = core::SystemClock::instance());

  [[nodiscard]] boost::asio::awaitable<Authenticated> authenticate(const Request& req, const config::Route& route,
                                                                   Caches& caches) const;
  [[nodiscard]] bool is_endpoint(std::string_view path) const;
  // `described`: for the forward-auth endpoint, the route the ingress's original request matches
  // (null when none does: then a session or a bearer token of a configured issuer is required).
  [[nodiscard]] boost::asio::awaitable<EndpointAnswer> endpoint(const Request& req, Caches& caches,
                                                                const config::Route* described) const;

  // Cookie-name prefixes of Vigie's own cookies, stripped from what upstreams receive.
  [[nodiscard]] const std::vector<std::string>& cookie_prefixes() const { return cookie_prefixes_; }
  [[nodiscard]] const config::Identity& config() const { return cfg_; }
  [[nodiscard]] const AssertionSigner& assertion() const { return assertion_; }

 private:
  struct BearerIssuer {
    std::shared_ptr<oidc::Issuer> issuer;
    oidc::VerifyRules rules;
  };

  [[nodiscard]] boost::asio::awaitable<Authenticated> from_session(const Request& req, SessionCache& cache) const;
  // When the session's tokens are next refreshed (unix seconds), if it has a refresh token.
  [[nodiscard]] int64_t refresh_at(const session::SessionData& data) const;
  // Until when a session just opened may be served from a worker's cache without opening it again.
  [[nodiscard]] int64_t cacheable_until(const session::SessionData& data, int64_t now) const;
  // New tokens for a session: the data with fresh tokens, the data unchanged when the provider
  // cannot be reached (the session lives on until its own limits), nullopt when the provider
  // refuses (revoked grant, disabled user): the session then ends.
  [[nodiscard]] boost::asio::awaitable<std::optional<session::SessionData>> refresh_tokens(
      session::SessionData data) const;
  [[nodiscard]] boost::asio::awaitable<std::optional<session::SessionData>> refresh_shared(
      session::SessionData data, std::string ticket) const;
  [[nodiscard]] std::shared_ptr<const Identity> identity_of(session::SessionData&& data) const;
  [[nodiscard]] boost::asio::awaitable<Authenticated> from_bearer(std::string_view token, const config::Route* route,
                                                                  BearerCache& cache) const;
  [[nodiscard]] Authenticated unauthenticated(const Request& req, const config::Route& route,
                                              std::string_view detail) const;
  [[nodiscard]] const BearerIssuer* issuer_for(std::string_view iss, std::string_view tid) const;
  // Verifies a token missing from the cache and caches it; null (with `refusal` filled) on failure.
  [[nodiscard]] boost::asio::awaitable<const BearerCache::Entry*> verify_bearer(std::string_view token,
                                                                                const config::Route* route,
                                                                                BearerCache& cache,
                                                                                Refusal& refusal) const;

  // Endpoints (endpoints.cc).
  [[nodiscard]] boost::asio::awaitable<EndpointAnswer> start(const Request& req) const;
  [[nodiscard]] boost::asio::awaitable<EndpointAnswer> callback(const Request& req) const;
  [[nodiscard]] boost::asio::awaitable<EndpointAnswer> sign_out(const Request& req) const;
  [[nodiscard]] boost::asio::awaitable<EndpointAnswer> backchannel_logout(const Request& req) const;
  [[nodiscard]] EndpointAnswer frontchannel_logout(const Request& req) const;
  [[nodiscard]] boost::asio::awaitable<EndpointAnswer> userinfo(const Request& req, Caches& caches) const;
  [[nodiscard]] boost::asio::awaitable<EndpointAnswer> forward_auth(const Request& req, Caches& caches,
                                                                    const config::Route* described) const;
  [[nodiscard]] std::string redirect_uri(const Request& req) const;
  [[nodiscard]] boost::asio::awaitable<std::optional<Refusal>> complete_login(const Request& req,
                                                                              const oidc::LoginState& login,
                                                                              const std::string& code,
                                                                              Headers& headers) const;
  [[nodiscard]] session::CookieSpec login_cookie(std::string_view state) const;
  [[nodiscard]] int64_t now() const;
  [[nodiscard]] int64_t touch_interval() const;

  const config::Identity& cfg_;
  const core::Clock& clock_;
  std::shared_ptr<oidc::Issuer> provider_;
  std::vector<BearerIssuer> bearer_issuers_;
  oidc::VerifyRules id_token_rules_;
  session::KeyRing ring_;
  session::CookieSpec session_cookie_;
  std::unique_ptr<session::Store> store_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  oidc::TokenClient tokens_;
  std::vector<std::string> cookie_prefixes_;
  RefreshFlights& refreshes_;    // process-wide: a reload must not forget a flight or a logout
  Revocations& revocations_;
  AssertionSigner assertion_;
  uint64_t generation_;  // tells this Service's SessionCache entries from an earlier snapshot's
};

}  // namespace vigie::authn
