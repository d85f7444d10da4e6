#include "authn/service.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>
#include <atomic>
#include <stdexcept>

#include "core/strings.h"
#include "core/url.h"
#include "jwt/jws.h"
#include "net/tls.h"
#include "oidc/graph.h"
#include "session/cookie_store.h"
#include "session/redis_store.h"

namespace vigie::authn {
namespace asio = boost::asio;
namespace {

std::vector<jwt::Alg> algorithms(const std::vector<std::string>& names) {
  std::vector<jwt::Alg> out;
  for (const auto& n : names) {
    if (auto a = jwt::parse_alg(n)) out.push_back(*a);
  }
  return out;
}

oidc::VerifyRules base_rules(const config::Provider& p, const std::vector<std::string>& audiences,
                             const std::vector<std::string>& algs) {
  oidc::VerifyRules r;
  r.audiences = audiences;
  r.algorithms = algorithms(algs);
  r.leeway = std::chrono::duration_cast<std::chrono::seconds>(p.leeway);
  r.allowed_tenants = p.allowed_tenants;
  r.accept_v1 = p.accept_v1_tokens;
  return r;
}

oidc::IssuerSettings provider_settings(const config::Provider& p) {
  return {p.issuer, p.discovery_url, "", p.ca_file, p.timeout, p.jwks_refresh};
}

session::KeyRing key_ring(const config::Session& s) {
  auto ring = session::KeyRing::parse(s.keys->value);
  if (!ring) {
    throw std::runtime_error("identity.session.keys (" + s.keys->source + ") " +
                             std::string(session::describe(ring.error())));
  }
  return std::move(*ring);
}

// "Bearer <token>", scheme case-insensitive (RFC 7235); nullopt when absent or another scheme.
std::optional<std::string_view> bearer_token(std::string_view authorization) {
  if (authorization.size() < 8 || !core::iequals(authorization.substr(0, 7), "bearer ")) return std::nullopt;
  std::string_view t = authorization.substr(7);
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  if (t.empty()) return std::nullopt;
  return t;
}

bool audience_overlap(const std::vector<std::string>& token_aud, const std::vector<std::string>& wanted) {
  for (const auto& a : token_aud) {
    if (std::find(wanted.begin(), wanted.end(), a) != wanted.end()) return true;
  }
  return false;
}

std::vector<std::string> token_audiences(const nlohmann::json& payload) {
  std::vector<std::string> out;
  auto it = payload.find("aud");
  if (it == payload.end()) return out;
  if (it->is_string()) out.push_back(it->get<std::string>());
  if (it->is_array()) {
    for (const auto& v : *it) {
      if (v.is_string()) out.push_back(v.get<std::string>());
    }
  }
  return out;
}

uint64_t next_generation() {
  static std::atomic<uint64_t> counter{0};
  return ++counter;
}

constexpr std::string_view kJwksPath = "/.well-known/vigie/jwks.json";
constexpr std::string_view kBearerChallenge = "Bearer realm=\"vigie\"";

}  // namespace

Service::Service(const config::Identity& cfg, oidc::IssuerRegistry& issuers, const core::Clock& clock)
    : cfg_(cfg),
      clock_(clock),
      provider_(issuers.get(provider_settings(cfg.provider))),
      id_token_rules_(base_rules(cfg.provider, {cfg.provider.client_id}, cfg.provider.algorithms)),
      ring_(key_ring(cfg.session)),
      tls_(net::make_client_context(cfg.provider.ca_file)),
      tokens_(cfg.provider, tls_, clock),
      refreshes_(RefreshFlights::process(clock)),
      revocations_(Revocations::process()),
      assertion_(cfg.assertion_key, clock),
      generation_(next_generation()) {
  bool secure = cfg.session.cookie_secure;
  session_cookie_ = {session::prefixed_name(cfg.session.cookie_name, secure, !cfg.session.cookie_domain.empty()),
                     cfg.session.cookie_domain, secure, "Lax"};
  if (cfg.session.store == config::SessionStore::Redis) {
    store_ = std::make_unique<session::RedisStore>(cfg.session.redis, cfg.session.lifetime, clock);
  } else {
    store_ = std::make_unique<session::CookieStore>(ring_, session_cookie_.name);
  }
  cookie_prefixes_ = {session_cookie_.name, login_cookie("").name};
  for (const auto& b : cfg.bearer_issuers) {
    auto issuer = b.issuer.empty() ? provider_
                                   : issuers.get({b.issuer, b.jwks_url.empty() ? b.issuer + (b.issuer.ends_with("/") ? "" : "/") + ".well-known/openid-configuration" : "",
                                                  b.jwks_url, cfg.provider.ca_file, cfg.provider.timeout,
                                                  cfg.provider.jwks_refresh});
    auto same = std::find_if(bearer_issuers_.begin(), bearer_issuers_.end(),
                             [&](const BearerIssuer& e) { return e.issuer == issuer; });
    if (same == bearer_issuers_.end()) {
      bearer_issuers_.push_back({issuer, base_rules(cfg.provider, b.audiences, b.algorithms)});
      continue;
    }
    // Several entries for one issuer: the first match would hide the others, so they merge.
    for (const auto& a : b.audiences) same->rules.audiences.push_back(a);
    for (auto alg : algorithms(b.algorithms)) same->rules.algorithms.push_back(alg);
  }
  if (bearer_issuers_.empty()) {
    bearer_issuers_.push_back({provider_, base_rules(cfg.provider, {}, cfg.provider.algorithms)});
  }
}

// Sliding idle timeout: re-issue the cookie at most once a minute, not on every request.
int64_t Service::touch_interval() const {
  return std::min<int64_t>(60, std::chrono::duration_cast<std::chrono::seconds>(cfg_.session.idle_timeout).count() / 10);
}

int64_t Service::now() const {
  return std::chrono::duration_cast<std::chrono::seconds>(clock_.wall().time_since_epoch()).count();
}

session::CookieSpec Service::login_cookie(std::string_view state) const {
  session::CookieSpec spec = session_cookie_;
  spec.domain.clear();  // the login cookie only ever goes back to the host that set it
  spec.name = session::prefixed_name(oidc::login_cookie_name(cfg_.session.cookie_name, state), spec.secure, false);
  return spec;
}

bool Service::is_endpoint(std::string_view path) const {
  if (path == kJwksPath) return true;
  const std::string& p = cfg_.login.prefix;
  return path.size() > p.size() && path.starts_with(p) && path[p.size()] == '/';
}

asio::awaitable<Authenticated> Service::authenticate(const Request& req, const config::Route& route,
                                                     Caches& caches) const {
  using config::AuthMode;
  if (route.auth == AuthMode::Public) co_return Authenticated{};
  auto token = bearer_token(req.authorization);
  bool has_cookie = session::find_cookie(req.cookie, session_cookie_.name).has_value();
  if (route.auth == AuthMode::Bearer) {
    // Two credentials for one request: which one would the upstream think it got? Refuse.
    if (token && has_cookie) co_return Authenticated{nullptr, {}, Refusal{Failure::AmbiguousCredentials, "cookie_and_bearer", {}}};
    if (!token) co_return unauthenticated(req, route, "no_token");
    co_return co_await from_bearer(*token, &route, caches.bearer);
  }
  if (token && route.auth == AuthMode::SessionOrBearer) co_return co_await from_bearer(*token, &route, caches.bearer);
  if (!has_cookie) co_return unauthenticated(req, route, "no_session");
  Authenticated a = co_await from_session(req, caches.sessions);
  if (a.refusal && a.refusal->failure == Failure::Unauthenticated) {
    Authenticated out = unauthenticated(req, route, a.refusal->detail);
    out.response_headers = std::move(a.response_headers);
    for (auto& h : a.refusal->headers) out.refusal->headers.push_back(std::move(h));
    co_return out;
  }
  co_return a;
}

Authenticated Service::unauthenticated(const Request& req, const config::Route& route, std::string_view detail) const {
  Refusal r{Failure::Unauthenticated, detail, {}};
  if (req.browser && route.auth != config::AuthMode::Bearer) {
    r.failure = Failure::LoginRedirect;
    r.headers.emplace_back("Location", std::string(req.login_origin) + cfg_.login.prefix +
                                           "/start?rd=" + core::url_encode(req.target));
  } else {
    r.headers.emplace_back("WWW-Authenticate", std::string(kBearerChallenge));
  }
  return Authenticated{nullptr, {}, std::move(r)};
}

asio::awaitable<Authenticated> Service::from_session(const Request& req, SessionCache& cache) const {
  std::string joined;
  // authenticate() saw the first chunk.
  std::string_view value = *session::read_chunked(req.cookie, session_cookie_.name, joined);
  int64_t t = now();
  // The steady state: this worker opened this very cookie moments ago and nothing is due yet.
  if (const SessionEntry* hit = cache.find(value, t); hit && hit->generation == generation_) {
    const Identity& id = *hit->identity;
    if (!revocations_.revoked({id.session_id, id.issuer, hit->sid, id.sub, hit->created}, t)) {
      co_return Authenticated{hit->identity, {}, std::nullopt};
    }
  }
  cache.erase(value);
  size_t chunks = session::chunk_count(req.cookie, session_cookie_.name);
  auto gone = [&](std::string_view detail) {
    Refusal r{Failure::Unauthenticated, detail, {}};
    for (auto& line : session::clear_cookie_lines(session_cookie_, chunks)) r.headers.emplace_back("Set-Cookie", line);
    return Authenticated{nullptr, {}, std::move(r)};
  };
  auto data = co_await store_->load(value);
  if (!data) {
    if (data.error() == session::StoreError::Unavailable) {
      co_return Authenticated{nullptr, {}, Refusal{Failure::ProviderUnavailable, "session_store_unavailable", {}}};
    }
    co_return gone("session_invalid");
  }
  auto secs = [](auto d) { return std::chrono::duration_cast<std::chrono::seconds>(d).count(); };
  if (revocations_.revoked(ref_of(*data), t)) {
    co_await store_->erase(value);
    co_return gone("session_revoked");
  }
  if (t - data->created >= secs(cfg_.session.lifetime)) {
    co_await store_->erase(value);
    co_return gone("session_expired");
  }
  if (t - data->last_seen >= secs(cfg_.session.idle_timeout)) {
    co_await store_->erase(value);
    co_return gone("session_idle");
  }
  Authenticated out;
  bool changed = false;
  if (!data->refresh_token.empty() && t >= refresh_at(*data)) {
    session::SessionData current = *data;
    // A named object, not a temporary: GCC 12 ends temporaries in a co_await expression too early.
    std::string ticket(value);
    RefreshFlights::Refresh refresh = [this, current, ticket] { return refresh_shared(current, ticket); };
    auto refreshed = co_await refreshes_.run(current, refresh);
    if (!refreshed) {
      co_await store_->erase(value);
      co_return gone("refresh_rejected");
    }
    changed = !session::same_tokens(*refreshed, *data);
    int64_t last_seen = data->last_seen;
    *data = std::move(*refreshed);
    data->last_seen = std::max(last_seen, data->last_seen);
  }
  if (changed || t - data->last_seen >= touch_interval()) {
    data->last_seen = t;
    auto saved = co_await store_->update(value, *data);
    if (!saved && saved.error() == session::StoreError::NotFound) co_return gone("session_revoked");
    // A server-side store keeps its ticket: the browser's cookie stays as it is.
    if (saved && *saved != value) {
      auto max_age = std::chrono::seconds(std::max<int64_t>(0, data->created + secs(cfg_.session.lifetime) - t));
      for (auto& line : session::set_cookie_lines(session_cookie_, *saved, max_age, chunks)) {
        out.response_headers.emplace_back("Set-Cookie", std::move(line));
      }
    }
  }
  SessionEntry entry{nullptr, data->sid, data->created, generation_, cacheable_until(*data, t)};
  out.identity = identity_of(std::move(*data));
  entry.identity = out.identity;
  // Not when a new cookie went out: the browser will not send this value again.
  if (out.response_headers.empty()) cache.insert(std::string(value), std::move(entry), t);
  co_return out;
}

int64_t Service::refresh_at(const session::SessionData& data) const {
  // A session opened before a reload made a route forward the access token has none: refreshed now.
  if (cfg_.keep_access_token && data.access_token.empty()) return 0;
  return data.tokens_expire - std::chrono::duration_cast<std::chrono::seconds>(cfg_.session.refresh_before).count();
}

int64_t Service::cacheable_until(const session::SessionData& data, int64_t now) const {
  auto secs = [](auto d) { return std::chrono::duration_cast<std::chrono::seconds>(d).count(); };
  // The next sliding-expiry touch, the end of its life, the next token refresh: each needs the slow path.
  int64_t until = std::min(data.last_seen + touch_interval(), data.created + secs(cfg_.session.lifetime));
  if (!data.refresh_token.empty()) until = std::min(until, refresh_at(data));
  // A revocation this process cannot see (the record erased by another replica) applies within this.
  until = std::min(until, now + secs(cfg_.session.cache));
  return until;
}

std::shared_ptr<const Identity> Service::identity_of(session::SessionData&& data) const {
  auto id = std::make_shared<Identity>();
  id->method = Method::Session;
  id->issuer = std::move(data.issuer);
  id->oid = std::move(data.oid);
  id->tid = std::move(data.tid);
  id->sub = std::move(data.sub);
  id->name = std::move(data.name);
  id->email = std::move(data.email);
  id->preferred_username = std::move(data.preferred_username);
  id->session_id = std::move(data.id);
  id->groups = std::move(data.groups);
  id->roles = std::move(data.roles);
  id->claims = std::move(data.claims);
  // Sorted for policies (a session written by an older version, groups listed by Graph).
  std::sort(id->groups.begin(), id->groups.end());
  std::sort(id->roles.begin(), id->roles.end());
  id->expires = data.tokens_expire;
  id->access_token = std::move(data.access_token);
  return id;
}

// Across replicas (Redis): one holder of the store's lock refreshes and writes the result; the
// others wait for it to appear in the store instead of spending the same refresh token.
asio::awaitable<std::optional<session::SessionData>> Service::refresh_shared(session::SessionData data,
                                                                             std::string ticket) const {
  auto lock = co_await store_->try_lock(data.id, std::chrono::seconds(30));
  if (!lock) co_return data;  // the store is down: keep the session as it is
  if (*lock) {
    auto refreshed = co_await refresh_tokens(data);
    if (refreshed && !session::same_tokens(*refreshed, data)) (void)co_await store_->update(ticket, *refreshed);
    co_await store_->unlock(data.id, **lock);
    co_return refreshed;
  }
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (int i = 0; i < 30; ++i) {
    timer.expires_after(std::chrono::milliseconds(100));
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    auto fresh = co_await store_->load(ticket);
    if (!fresh) co_return fresh.error() == session::StoreError::NotFound ? std::nullopt : std::optional(data);
    if (!session::same_tokens(*fresh, data)) co_return std::move(*fresh);
  }
  co_return data;  // the other replica is slow: serve with the tokens we have
}

asio::awaitable<std::optional<session::SessionData>> Service::refresh_tokens(session::SessionData data) const {
  auto state = co_await provider_->ready();
  if (!state || !state->metadata) co_return data;
  auto tokens = co_await tokens_.refresh(*state->metadata, data.refresh_token);
  if (!tokens) {
    auto kind = tokens.error().kind;
    if (kind == oidc::TokenFailure::Unavailable || kind == oidc::TokenFailure::Credential) co_return data;
    co_return std::nullopt;
  }
  int64_t t = now();
  if (!tokens->id_token.empty()) {
    auto verified = co_await oidc::verify_token(tokens->id_token, *provider_, id_token_rules_, t);
    if (!verified) co_return std::nullopt;
    // The same person, or nothing; an account now over the group limit is looked up in Graph
    // where configured, else must log in again to see the page that explains it.
    Identity id = identity_from_claims(verified->payload, Method::Session, cfg_.policy_claims);
    if (id.oid != data.oid || id.tid != data.tid) co_return std::nullopt;
    if (groups_overage(verified->payload)) {
      if (cfg_.provider.groups_overage != config::GroupsOverage::Graph) co_return std::nullopt;
      auto groups = co_await oidc::member_groups(cfg_.provider.graph_url, tokens->access_token, *tls_,
                                                 cfg_.provider.timeout);
      // Graph down: the new tokens are kept (the old refresh token may be spent), and so are
      // the groups we know until Graph answers again.
      id.groups = groups ? std::move(*groups) : data.groups;
    }
    data.groups = std::move(id.groups);
    data.roles = std::move(id.roles);
    data.claims = std::move(id.claims);
    data.id_token = tokens->id_token;
  }
  data.access_token = cfg_.keep_access_token ? tokens->access_token : "";
  if (!tokens->refresh_token.empty()) data.refresh_token = tokens->refresh_token;
  data.tokens_expire = t + tokens->expires_in;
  co_return data;
}

const Service::BearerIssuer* Service::issuer_for(std::string_view iss, std::string_view tid) const {
  // On every bearer request, cached or not: plain string work, no JSON.
  for (const auto& b : bearer_issuers_) {
    auto expected = oidc::expected_issuer(iss, tid, b.issuer->settings().issuer, b.rules);
    if (expected && *expected == iss) return &b;
  }
  return nullptr;
}

asio::awaitable<const BearerCache::Entry*> Service::verify_bearer(std::string_view token,
                                                                  const config::Route* route, BearerCache& cache,
                                                                  Refusal& refusal) const {
  auto jws = jwt::parse(token);
  auto claim = [&](const char* k) {
    auto it = jws->payload.find(k);
    return it != jws->payload.end() && it->is_string() ? it->get<std::string>() : std::string{};
  };
  const BearerIssuer* issuer = jws ? issuer_for(claim("iss"), claim("tid")) : nullptr;
  if (!jws || !issuer) {
    refusal.detail = jws ? "jwt_unknown_issuer" : jwt::code(jws.error());
    co_return nullptr;
  }
  oidc::VerifyRules rules = issuer->rules;
  if (route && !route->bearer.audiences.empty()) rules.audiences = route->bearer.audiences;
  int64_t t = now();
  auto verified = co_await oidc::verify_token(token, *issuer->issuer, rules, t);
  if (!verified) {
    if (verified.error().kind == oidc::VerifyFailure::IssuerUnavailable) refusal.failure = Failure::ProviderUnavailable;
    refusal.detail = verified.error().code();
    co_return nullptr;
  }
  bool app = !verified->payload.contains("scp");  // Entra: app-only tokens carry roles, never scp
  auto id = std::make_shared<Identity>(
      identity_from_claims(verified->payload, app ? Method::ClientCredentials : Method::Bearer, cfg_.policy_claims));
  id->access_token = std::string(token);
  int64_t until = id->expires + rules.leeway.count();
  cache.insert(std::string(token), {std::move(id), token_audiences(verified->payload), until, generation_}, t);
  co_return cache.find(token, t);
}

asio::awaitable<Authenticated> Service::from_bearer(std::string_view token, const config::Route* route,
                                                    BearerCache& cache) const {
  auto refuse = [](Failure f, std::string_view detail, std::string_view error) {
    std::string challenge = std::string(kBearerChallenge) + ", error=\"" + std::string(error) + "\"";
    return Authenticated{nullptr, {}, Refusal{f, detail, {{"WWW-Authenticate", std::move(challenge)}}}};
  };
  const BearerCache::Entry* entry = cache.find(token, now());
  if (entry && entry->generation != generation_) entry = nullptr;  // verified again under this snapshot
  if (!entry) {
    Refusal why{Failure::InvalidToken, "jwt_malformed", {}};
    entry = co_await verify_bearer(token, route, cache, why);
    if (why.failure == Failure::ProviderUnavailable) co_return Authenticated{nullptr, {}, std::move(why)};
    if (!entry) co_return refuse(Failure::InvalidToken, why.detail, "invalid_token");
  }
  // Checked on every request, cached or not: the cache proves the signature and lifetime only.
  const Identity& id = *entry->identity;
  const BearerIssuer* issuer = issuer_for(id.issuer, id.tid);
  if (!issuer) co_return refuse(Failure::InvalidToken, "jwt_unknown_issuer", "invalid_token");
  const auto& wanted = route && !route->bearer.audiences.empty() ? route->bearer.audiences : issuer->rules.audiences;
  if (!audience_overlap(entry->audiences, wanted)) co_return refuse(Failure::InvalidToken, "jwt_wrong_audience", "invalid_token");
  if (route) {
    for (const auto& r : route->bearer.roles) {
      if (!id.has_role(r)) co_return refuse(Failure::InsufficientScope, "missing_role", "insufficient_scope");
    }
    for (const auto& sc : route->bearer.scopes) {
      if (!id.has_scope(sc)) co_return refuse(Failure::InsufficientScope, "missing_scope", "insufficient_scope");
    }
  }
  co_return Authenticated{entry->identity, {}, std::nullopt};
}

}  // namespace vigie::authn
