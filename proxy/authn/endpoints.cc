// The login prefix (default /oauth2): start, callback, sign_out, userinfo and the forward-auth
// endpoint. Part of Service; see service.h.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "authn/service.h"
#include "core/url.h"
#include "crypto/random.h"
#include "oidc/graph.h"
#include "oidc/login.h"

namespace vigie::authn {
namespace asio = boost::asio;
namespace {

Refusal refusal(Failure f, std::string_view detail) { return Refusal{f, detail, {}}; }

Reply redirect(std::string location, Headers headers = {}) {
  headers.emplace_back("Location", std::move(location));
  headers.emplace_back("Cache-Control", "no-store");
  return Reply{302, "text/plain; charset=utf-8", "", std::move(headers)};
}

void add_cookies(Headers& h, std::vector<std::string> lines) {
  for (auto& l : lines) h.emplace_back("Set-Cookie", std::move(l));
}

nlohmann::json identity_json(const Identity& id) {
  return {{"user", id.user()},   {"oid", id.oid},       {"tid", id.tid},       {"name", id.name},
          {"email", id.email},   {"preferred_username", id.preferred_username},
          {"groups", id.groups}, {"roles", id.roles},   {"method", name(id.method)}};
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

}  // namespace

asio::awaitable<EndpointAnswer> Service::endpoint(const Request& req, Caches& caches,
                                                  const config::Route* described) const {
  if (!req.path.starts_with(cfg_.login.prefix)) {  // the assertion keys (is_endpoint lets nothing else in)
    co_return Reply{200, "application/json", assertion_.jwks(), {{"Cache-Control", "public, max-age=300"}}};
  }
  std::string_view action = req.path.substr(cfg_.login.prefix.size() + 1);
  if (action == "start") co_return co_await start(req);
  if (action == "callback") co_return co_await callback(req);
  if (action == "sign_out") co_return co_await sign_out(req);
  if (action == "userinfo") co_return co_await userinfo(req, caches);
  if (action == "backchannel_logout") co_return co_await backchannel_logout(req);
  if (action == "frontchannel_logout") co_return frontchannel_logout(req);
  // Envoy's ext_authz appends the original path to the configured prefix.
  if (action == "auth" || action.starts_with("auth/")) co_return co_await forward_auth(req, caches, described);
  co_return refusal(Failure::NotFound, "unknown_endpoint");
}

std::string Service::redirect_uri(const Request& req) const {
  if (!cfg_.login.redirect_url.empty()) return cfg_.login.redirect_url;
  return std::string(req.tls ? "https://" : "http://") + std::string(req.host_header) + cfg_.login.prefix + "/callback";
}

asio::awaitable<EndpointAnswer> Service::start(const Request& req) const {
  auto rd = core::query_param(req.query, "rd");
  std::optional<std::string> to = rd ? oidc::safe_return_to(*rd, req.host, cfg_.login.allowed_redirect_hosts)
                                     : std::optional<std::string>("/");
  if (!to) co_return refusal(Failure::BadRedirect, "unsafe_return_url");
  auto state = co_await provider_->ready();
  if (!state || !state->metadata) co_return refusal(Failure::ProviderUnavailable, "discovery_unavailable");
  oidc::LoginState login = oidc::new_login(std::move(*to), now());
  oidc::AuthorizeParams params{cfg_.provider.client_id, redirect_uri(req), cfg_.provider.scopes, "", ""};
  if (auto hint = core::query_param(req.query, "login_hint")) params.login_hint = *hint;
  Headers headers;
  auto ttl = std::chrono::duration_cast<std::chrono::seconds>(cfg_.login.login_timeout);
  add_cookies(headers, session::set_cookie_lines(login_cookie(login.state), oidc::seal_login(ring_, login), ttl));
  co_return redirect(oidc::authorize_url(*state->metadata, params, login), std::move(headers));
}

asio::awaitable<EndpointAnswer> Service::callback(const Request& req) const {
  auto state = core::query_param(req.query, "state");
  if (!state || state->empty()) co_return refusal(Failure::LoginStateInvalid, "state_missing");
  session::CookieSpec cookie = login_cookie(*state);
  auto sealed = session::find_cookie(req.cookie, cookie.name);
  if (!sealed) co_return refusal(Failure::LoginStateInvalid, "state_cookie_missing");
  auto max_age = std::chrono::duration_cast<std::chrono::seconds>(cfg_.login.login_timeout).count();
  auto login = oidc::open_login(ring_, *sealed, *state, now(), max_age);
  Headers headers;
  add_cookies(headers, session::clear_cookie_lines(cookie, 1));  // one use only, whatever happens next
  if (!login) {
    Refusal r = refusal(Failure::LoginStateInvalid, login.error() == oidc::LoginError::Expired ? "state_expired"
                                                                                           : "state_invalid");
    r.headers = std::move(headers);
    co_return r;
  }
  if (auto error = core::query_param(req.query, "error")) {
    // The provider refused (user cancelled, consent denied, conditional access...).
    Refusal r = refusal(Failure::LoginRejected, "provider_error");
    r.headers = std::move(headers);
    co_return r;
  }
  auto code = core::query_param(req.query, "code");
  if (!code || code->empty()) {
    Refusal r = refusal(Failure::LoginStateInvalid, "code_missing");
    r.headers = std::move(headers);
    co_return r;
  }
  if (auto failed = co_await complete_login(req, *login, *code, headers)) {
    for (auto& h : headers) failed->headers.push_back(std::move(h));
    co_return std::move(*failed);
  }
  co_return redirect(login->return_to, std::move(headers));
}

asio::awaitable<std::optional<Refusal>> Service::complete_login(const Request& req, const oidc::LoginState& login,
                                                               const std::string& code, Headers& headers) const {
  auto state = co_await provider_->ready();
  if (!state || !state->metadata) co_return refusal(Failure::ProviderUnavailable, "discovery_unavailable");
  std::string redirect = redirect_uri(req);  // named: GCC 12 may end temporaries in co_await early
  auto tokens = co_await tokens_.exchange_code(*state->metadata, code, login.verifier, redirect);
  if (!tokens) {
    // A credential Vigie cannot build (unreadable token file) is our outage, not the user's refusal.
    bool down = tokens.error().kind == oidc::TokenFailure::Unavailable ||
                tokens.error().kind == oidc::TokenFailure::Credential;
    co_return refusal(down ? Failure::ProviderUnavailable : Failure::LoginRejected,
                      down ? "token_endpoint_unavailable" : "code_exchange_failed");
  }
  if (tokens->id_token.empty()) co_return refusal(Failure::LoginRejected, "no_id_token");
  int64_t t = now();
  auto verified = co_await oidc::verify_token(tokens->id_token, *provider_, id_token_rules_, t);
  if (!verified) {
    auto kind = verified.error().kind;
    Failure f = kind == oidc::VerifyFailure::TenantNotAllowed    ? Failure::TenantNotAllowed
                : kind == oidc::VerifyFailure::IssuerUnavailable ? Failure::ProviderUnavailable
                                                                 : Failure::LoginRejected;
    co_return refusal(f, verified.error().code());
  }
  const auto& claims = verified->payload;
  auto nonce = claims.find("nonce");
  // The nonce ties this ID token to the login this browser started (replay protection).
  if (nonce == claims.end() || !nonce->is_string() || nonce->get<std::string>() != login.nonce) {
    co_return refusal(Failure::LoginRejected, "nonce_mismatch");
  }
  auto azp = claims.find("azp");
  if (azp != claims.end() && (!azp->is_string() || azp->get<std::string>() != cfg_.provider.client_id)) {
    co_return refusal(Failure::LoginRejected, "azp_mismatch");
  }
  Identity id = identity_from_claims(claims, Method::Session, cfg_.policy_claims);
  if (groups_overage(claims)) {
    // Silently treating the user as group-less would hide them from every group rule.
    if (cfg_.provider.groups_overage != config::GroupsOverage::Graph) {
      co_return refusal(Failure::GroupsOverage, "groups_overage");
    }
    auto groups = co_await oidc::member_groups(cfg_.provider.graph_url, tokens->access_token, *tls_, cfg_.provider.timeout);
    if (!groups) {
      bool down = groups.error() == oidc::GraphError::Unavailable;
      co_return refusal(down ? Failure::ProviderUnavailable : Failure::GroupsOverage, oidc::describe(groups.error()));
    }
    id.groups = std::move(*groups);
  }
  session::SessionData s{.id = crypto::random_token(16), .issuer = id.issuer, .oid = id.oid, .tid = id.tid,
                         .sub = id.sub, .name = id.name, .email = id.email,
                         .preferred_username = id.preferred_username, .groups = std::move(id.groups),
                         .roles = std::move(id.roles), .sid = "", .claims = std::move(id.claims),
                         .created = t, .last_seen = t,
                         .tokens_expire = t + tokens->expires_in, .id_token = tokens->id_token,
                         .access_token = cfg_.keep_access_token ? tokens->access_token : "",
                         .refresh_token = tokens->refresh_token};
  if (auto sid = claims.find("sid"); sid != claims.end() && sid->is_string()) s.sid = sid->get<std::string>();
  auto saved = co_await store_->save(s);  // a new session: a new ticket in a server-side store
  if (!saved) co_return refusal(Failure::ProviderUnavailable, "session_store_unavailable");
  auto lifetime = std::chrono::duration_cast<std::chrono::seconds>(cfg_.session.lifetime);
  add_cookies(headers, session::set_cookie_lines(session_cookie_, *saved, lifetime,
                                                 session::chunk_count(req.cookie, session_cookie_.name)));
  co_return std::nullopt;
}

asio::awaitable<EndpointAnswer> Service::sign_out(const Request& req) const {
  auto rd = core::query_param(req.query, "rd");
  std::optional<std::string> to = rd ? oidc::safe_return_to(*rd, req.host, cfg_.login.allowed_redirect_hosts)
                                     : std::optional<std::string>("/");
  if (!to) co_return refusal(Failure::BadRedirect, "unsafe_return_url");
  Headers headers;
  size_t chunks = session::chunk_count(req.cookie, session_cookie_.name);
  add_cookies(headers, session::clear_cookie_lines(session_cookie_, chunks));
  std::string id_token;
  if (auto value = session::read_chunked(req.cookie, session_cookie_.name)) {
    if (auto data = co_await store_->load(*value)) {
      id_token = data->id_token;
      // Ends copies of a stateless cookie in this process, and cached tickets in every worker.
      int64_t t = now();
      revocations_.revoke_session(data->id, t, data->created + std::chrono::duration_cast<std::chrono::seconds>(
                                                                      cfg_.session.lifetime).count());
    }
    co_await store_->erase(*value);
  }
  auto state = provider_->state();
  if (cfg_.login.provider_sign_out && state && state->metadata && !state->metadata->end_session_endpoint.empty()) {
    std::string after = cfg_.login.post_logout_redirect_url;
    if (after.empty()) {
      after = std::string(req.tls ? "https://" : "http://") + std::string(req.host_header) +
              (to->starts_with("/") ? *to : "/");
    }
    std::string url = state->metadata->end_session_endpoint;
    url += url.find('?') == std::string::npos ? '?' : '&';
    url += "client_id=" + core::url_encode(cfg_.provider.client_id) +
           "&post_logout_redirect_uri=" + core::url_encode(after);
    if (!id_token.empty()) url += "&id_token_hint=" + core::url_encode(id_token);
    co_return redirect(std::move(url), std::move(headers));
  }
  co_return redirect(std::move(*to), std::move(headers));
}

// OIDC Back-Channel Logout 1.0 §2.6: validate the logout token like an ID token (signature, iss,
// aud, iat), then require the back-channel event, a sid or sub, no nonce, and a jti never seen.
asio::awaitable<EndpointAnswer> Service::backchannel_logout(const Request& req) const {
  if (req.method != "POST") co_return refusal(Failure::BadLogoutToken, "logout_not_post");
  auto token = core::query_param(req.body, "logout_token");
  if (!token || token->empty()) co_return refusal(Failure::BadLogoutToken, "logout_token_missing");
  int64_t t = now();
  auto verified = co_await oidc::verify_token(*token, *provider_, id_token_rules_, t);
  if (!verified) co_return refusal(Failure::BadLogoutToken, verified.error().code());
  const auto& c = verified->payload;
  auto events = c.find("events");
  bool event = events != c.end() && events->is_object() &&
               events->contains("http://schemas.openid.net/event/backchannel-logout");
  auto str = [&](const char* k) {
    auto it = c.find(k);
    return it != c.end() && it->is_string() ? it->get<std::string>() : std::string{};
  };
  std::string sid = str("sid"), sub = str("sub"), jti = str("jti"), iss = str("iss");
  if (!event || c.contains("nonce") || jti.empty() || (sid.empty() && sub.empty()) || !c.contains("iat")) {
    co_return refusal(Failure::BadLogoutToken, "logout_token_claims");
  }
  int64_t until = t + std::chrono::duration_cast<std::chrono::seconds>(cfg_.session.lifetime).count();
  if (!revocations_.first_use(jti, until, t)) co_return refusal(Failure::BadLogoutToken, "logout_token_replayed");
  if (!sid.empty()) revocations_.revoke_sid(iss, sid, t, until);
  else revocations_.revoke_sub(iss, sub, t, until);
  co_return Reply{200, "text/plain; charset=utf-8", "", {{"Cache-Control", "no-store"}}};
}

// Front-channel logout (what Entra calls in an iframe): iss and sid in the query. The browser's
// cookie may be withheld from that cross-site frame (SameSite=Lax), so the sid is what ends the
// session; clearing the cookie is a bonus when it is sent.
EndpointAnswer Service::frontchannel_logout(const Request& req) const {
  auto sid = core::query_param(req.query, "sid");
  // Entra may send sid alone: it then names a session of the configured (single-tenant) issuer.
  auto iss = core::query_param(req.query, "iss");
  if (!iss) iss = cfg_.provider.issuer;
  Headers headers{{"Cache-Control", "no-store"}};
  add_cookies(headers, session::clear_cookie_lines(session_cookie_, session::chunk_count(req.cookie, session_cookie_.name)));
  if (iss && sid && !sid->empty()) {
    // Only the configured issuer may name sessions to end (a template issuer: any allowed tenant).
    auto expected = oidc::expected_issuer(*iss, oidc::tenant_of(*iss), cfg_.provider.issuer, id_token_rules_);
    if (expected && *expected == *iss) {
      int64_t t = now();
      revocations_.revoke_sid(*iss, *sid, t, t + std::chrono::duration_cast<std::chrono::seconds>(cfg_.session.lifetime).count());
    }
  }
  return Reply{200, "text/html; charset=utf-8", "<!doctype html><title>Signed out</title>", std::move(headers)};
}

asio::awaitable<EndpointAnswer> Service::userinfo(const Request& req, Caches& caches) const {
  config::Route any;
  any.auth = config::AuthMode::SessionOrBearer;
  Request api = req;
  api.browser = false;  // an API endpoint: 401, never a login redirect
  Authenticated a = co_await authenticate(api, any, caches);
  if (a.refusal) co_return std::move(*a.refusal);
  Reply r{200, "application/json", identity_json(*a.identity).dump(), std::move(a.response_headers)};
  r.headers.emplace_back("Cache-Control", "no-store");
  co_return r;
}

asio::awaitable<EndpointAnswer> Service::forward_auth(const Request& req, Caches& caches,
                                                      const config::Route* described) const {
  config::Route any;
  any.auth = config::AuthMode::SessionOrBearer;
  // req.browser: set by the HTTP layer only where the proxy hands our answer to the browser
  // (Traefik, Envoy); NGINX Ingress needs a 401 and redirects to its auth-signin itself.
  Authenticated a = co_await authenticate(req, described ? *described : any, caches);
  if (a.refusal) co_return std::move(*a.refusal);
  // ingress-nginx passes on only the first Set-Cookie of an auth response: a session re-issued in
  // several chunks would reach the browser half-updated and break. Keep the browser's cookie then.
  size_t session_lines = std::count_if(a.response_headers.begin(), a.response_headers.end(), [&](const auto& h) {
    return h.first == "Set-Cookie" && h.second.starts_with(session_cookie_.name);
  });
  if (session_lines > 1) std::erase_if(a.response_headers, [](const auto& h) { return h.first == "Set-Cookie"; });
  Reply r{static_cast<int>(cfg_.forward_auth.success_status), "text/plain; charset=utf-8", "", std::move(a.response_headers)};
  r.headers.emplace_back("Cache-Control", "no-store");
  if (!a.identity) co_return r;  // a public route
  const Identity& id = *a.identity;
  r.headers.emplace_back("X-Auth-Request-User", id.user());
  if (!id.email.empty()) r.headers.emplace_back("X-Auth-Request-Email", id.email);
  if (!id.preferred_username.empty()) r.headers.emplace_back("X-Auth-Request-Preferred-Username", id.preferred_username);
  if (!id.groups.empty()) r.headers.emplace_back("X-Auth-Request-Groups", join(id.groups));
  r.identity = a.identity;
  co_return r;
}

}  // namespace vigie::authn
