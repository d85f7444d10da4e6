#include "config/identity_loader.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>

#include "core/url.h"

namespace vigie::config {
namespace {

constexpr std::string_view kTenantTemplate = "{tenantid}";
const std::vector<std::string> kAlgorithms = {"RS256", "PS256", "ES256"};

// Outbound identity calls carry codes, secrets and tokens: https only, except to a loopback
// provider (tests, a local development IdP).
bool usable_url(const std::string& text) {
  auto u = core::parse_url(text);
  return u && (u->tls || core::is_loopback_host(u->host));
}

void check_url(Reader& r, const std::string& key, const std::string& value) {
  if (!usable_url(value)) r.error(key, "'" + value + "' is not an https:// URL (plain http only for loopback)");
}

void read_algorithms(Reader& r, std::vector<std::string>& out) {
  if (!r.has("algorithms")) return;
  out = r.strings("algorithms");
  if (out.empty()) r.error("algorithms", "needs at least one of RS256, PS256, ES256");
  for (const auto& a : out) {
    // HMAC and "none" are never accepted: a provider's public key must not become an HMAC secret.
    if (std::find(kAlgorithms.begin(), kAlgorithms.end(), a) == kAlgorithms.end()) {
      r.error("algorithms", "'" + a + "' is not supported (RS256, PS256, ES256)");
    }
  }
}

void read_client_auth(Reader& r, Provider& p) {
  static const std::map<std::string, ClientAuth, std::less<>> kMethods = {
      {"client_secret_basic", ClientAuth::SecretBasic},
      {"client_secret_post", ClientAuth::SecretPost},
      {"private_key_jwt", ClientAuth::PrivateKeyJwt},
      {"workload_identity", ClientAuth::WorkloadIdentity}};
  std::string method = r.str("client_auth").value_or("client_secret_basic");
  auto it = kMethods.find(method);
  if (it == kMethods.end()) {
    r.error("client_auth", "unknown method '" + method +
                               "' (client_secret_basic, client_secret_post, private_key_jwt, workload_identity)");
    return;
  }
  p.client_auth = it->second;
  switch (p.client_auth) {
    case ClientAuth::SecretBasic:
    case ClientAuth::SecretPost:
      p.client_secret = r.secret("client_secret", true);
      break;
    case ClientAuth::PrivateKeyJwt:
      p.private_key = r.secret("private_key", true);
      p.certificate_file = r.str("certificate_file", true).value_or("");
      if (!p.certificate_file.empty() && !std::ifstream(p.certificate_file).good()) {
        r.error("certificate_file", "cannot read " + p.certificate_file);
      }
      break;
    case ClientAuth::WorkloadIdentity: {
      // AKS workload identity mounts the projected token and names it in this variable.
      const char* env = std::getenv("AZURE_FEDERATED_TOKEN_FILE");
      p.federated_token_file = r.str("federated_token_file").value_or(env ? env : "");
      if (p.federated_token_file.empty()) {
        r.error("federated_token_file", "is required (or set AZURE_FEDERATED_TOKEN_FILE)");
      }
      break;
    }
  }
}

void read_provider(Reader& r, Provider& p) {
  // Kept exactly as written: tokens carry it verbatim (Entra v1 issuers end with '/').
  p.issuer = r.str("issuer", true).value_or("");
  if (!p.issuer.empty()) check_url(r, "issuer", p.issuer);
  p.discovery_url = r.str("discovery_url").value_or("");
  if (!p.discovery_url.empty()) check_url(r, "discovery_url", p.discovery_url);
  p.client_id = r.str("client_id", true).value_or("");
  read_client_auth(r, p);
  if (r.has("scopes")) p.scopes = r.strings("scopes");
  if (std::find(p.scopes.begin(), p.scopes.end(), "openid") == p.scopes.end()) {
    r.error("scopes", "must include openid");
  }
  p.allowed_tenants = r.strings("allowed_tenants");
  bool multi = p.issuer.find(kTenantTemplate) != std::string::npos;
  if (multi && p.allowed_tenants.empty()) {
    r.error("allowed_tenants", "is required with a multi-tenant issuer ({tenantid}): list the tenants to accept");
  }
  if (!multi && !p.allowed_tenants.empty()) r.error("allowed_tenants", "applies only to an issuer with {tenantid}");
  if (multi && p.discovery_url.empty()) {
    r.error("discovery_url", "is required with a multi-tenant issuer (e.g. .../organizations/v2.0/.well-known/...)");
  }
  p.accept_v1_tokens = r.boolean("accept_v1_tokens").value_or(false);
  read_algorithms(r, p.algorithms);
  p.ca_file = r.str("ca_file").value_or("");
  if (!p.ca_file.empty() && !std::ifstream(p.ca_file).good()) r.error("ca_file", "cannot read " + p.ca_file);
  p.leeway = r.duration("leeway").value_or(p.leeway);
  p.timeout = r.duration("timeout").value_or(p.timeout);
  p.jwks_refresh = r.duration("jwks_refresh").value_or(p.jwks_refresh);
  auto overage = r.str("groups_overage").value_or("fail");
  if (overage == "graph") p.groups_overage = GroupsOverage::Graph;
  else if (overage != "fail") r.error("groups_overage", "expected fail or graph, got '" + overage + "'");
  p.graph_url = r.str("graph_url").value_or(p.graph_url);
  while (p.graph_url.ends_with("/")) p.graph_url.pop_back();
  check_url(r, "graph_url", p.graph_url);
  if (p.discovery_url.empty() && !multi) {
    p.discovery_url = p.issuer + (p.issuer.ends_with("/") ? "" : "/") + ".well-known/openid-configuration";
  }
}

bool valid_host_pattern(std::string_view s) {
  if (s.starts_with("*.")) s.remove_prefix(2);
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) return false;
  }
  return true;
}

void read_login(Reader& r, Login& l) {
  l.prefix = r.str("prefix").value_or(l.prefix);
  if (!l.prefix.starts_with("/") || l.prefix.ends_with("/") || l.prefix.size() < 2) {
    r.error("prefix", "must start with '/' and not end with one, e.g. /oauth2");
  }
  l.redirect_url = r.str("redirect_url").value_or("");
  if (!l.redirect_url.empty() && !core::parse_url(l.redirect_url)) {
    r.error("redirect_url", "must be an absolute http(s) URL");
  }
  for (auto& h : r.strings("allowed_redirect_hosts")) {
    if (!valid_host_pattern(h)) r.error("allowed_redirect_hosts", "'" + h + "' is not a host name or *.suffix");
    l.allowed_redirect_hosts.push_back(h);
  }
  l.login_timeout = r.duration("login_timeout").value_or(l.login_timeout);
  l.provider_sign_out = r.boolean("provider_sign_out").value_or(l.provider_sign_out);
  l.post_logout_redirect_url = r.str("post_logout_redirect_url").value_or("");
}

void read_redis(Reader& r, Redis& d) {
  d.host = r.str("host").value_or(d.host);
  d.port = static_cast<uint16_t>(r.uint("port", 1, 65535).value_or(d.port));
  d.password = r.secret("password");
  d.db = static_cast<uint32_t>(r.uint("db", 0, 1024).value_or(d.db));
  d.key_prefix = r.str("key_prefix").value_or(d.key_prefix);
  d.timeout = r.duration("timeout").value_or(d.timeout);
}

void read_session(Reader& r, Session& s) {
  auto store = r.str("store").value_or("cookie");
  if (store == "redis") s.store = SessionStore::Redis;
  else if (store != "cookie") r.error("store", "expected cookie or redis, got '" + store + "'");
  s.cookie_name = r.str("cookie_name").value_or(s.cookie_name);
  if (s.cookie_name.empty() || s.cookie_name.find_first_of(" ;,=\t\"") != std::string::npos ||
      s.cookie_name.starts_with("__")) {
    r.error("cookie_name", "must be a plain token without the __Host-/__Secure- prefix (Vigie adds it)");
  }
  s.cookie_domain = r.str("cookie_domain").value_or("");
  s.cookie_secure = r.boolean("cookie_secure").value_or(true);
  s.keys = r.secret("keys", true);
  s.idle_timeout = r.duration("idle_timeout").value_or(s.idle_timeout);
  s.lifetime = r.duration("lifetime").value_or(s.lifetime);
  if (s.idle_timeout > s.lifetime) r.error("idle_timeout", "is longer than lifetime");
  s.refresh_before = r.duration("refresh_before").value_or(s.refresh_before);
  s.cache = r.duration("cache", true).value_or(s.cache);
  if (s.cache > std::chrono::minutes(1)) r.error("cache", "is longer than 1m: a revoked session would live on that long");
  r.child("redis", [&](Reader& d) { read_redis(d, s.redis); });
}

void read_bearer_issuer(Reader& r, std::vector<BearerIssuer>& out) {
  BearerIssuer b;
  b.issuer = r.str("issuer").value_or("");
  if (!b.issuer.empty()) check_url(r, "issuer", b.issuer);
  b.jwks_url = r.str("jwks_url").value_or("");
  if (!b.jwks_url.empty()) check_url(r, "jwks_url", b.jwks_url);
  b.audiences = r.strings("audiences");
  if (b.audiences.empty()) r.error("audiences", "is required: tokens for any audience are never accepted");
  read_algorithms(r, b.algorithms);
  out.push_back(std::move(b));
}

void read_headers(Reader& r, IdentityHeaders& h) {
  h.user = r.boolean("user").value_or(h.user);
  h.grafana = r.boolean("grafana").value_or(false);
  h.access_token = r.boolean("access_token").value_or(false);
  h.assertion = r.boolean("assertion").value_or(false);
  r.each("grafana_roles", [&](Reader& g) {
    GrafanaRole role;
    role.role = g.str("role", true).value_or("");
    static const std::vector<std::string> kRoles = {"Viewer", "Editor", "Admin", "GrafanaAdmin"};
    if (!role.role.empty() && std::find(kRoles.begin(), kRoles.end(), role.role) == kRoles.end()) {
      g.error("role", "expected Viewer, Editor, Admin or GrafanaAdmin");
    }
    role.members = g.strings("members");
    if (role.members.empty()) g.error("members", "needs at least one group id or app role");
    h.grafana_roles.push_back(std::move(role));
  });
}

}  // namespace

void read_identity(Reader& r, Identity& id) {
  if (!r.child("provider", [&](Reader& p) { read_provider(p, id.provider); })) {
    r.error("provider", "is required");
  }
  r.child("login", [&](Reader& l) { read_login(l, id.login); });
  if (!r.child("session", [&](Reader& s) { read_session(s, id.session); })) {
    r.error("session", "is required (at least session.keys)");
  }
  r.each("bearer", [&](Reader& b) { read_bearer_issuer(b, id.bearer_issuers); });
  r.child("forward_auth", [&](Reader& f) {
    id.forward_auth.success_status = static_cast<unsigned>(f.uint("success_status", 200, 299).value_or(200));
  });
  id.assertion_key = r.secret("assertion_key");
}

void read_route_auth(Reader& r, Route& rt) {
  static const std::map<std::string, AuthMode, std::less<>> kModes = {{"public", AuthMode::Public},
                                                                       {"session", AuthMode::Session},
                                                                       {"bearer", AuthMode::Bearer},
                                                                       {"session_or_bearer", AuthMode::SessionOrBearer}};
  // Default deny: a route must say how callers are authenticated; nothing is implied.
  auto auth = r.str("auth");
  if (!auth) {
    r.error("auth", "is required: every route states its authentication mode (public, session, bearer, "
                    "session_or_bearer)");
  } else if (auto it = kModes.find(*auth); it != kModes.end()) {
    rt.auth = it->second;
  } else {
    r.error("auth", "unknown mode '" + *auth + "' (public, session, bearer, session_or_bearer)");
  }
  r.child("bearer", [&](Reader& b) {
    rt.bearer.audiences = b.strings("audiences");
    rt.bearer.roles = b.strings("roles");
    rt.bearer.scopes = b.strings("scopes");
  });
  r.child("identity_headers", [&](Reader& h) { read_headers(h, rt.headers); });
}

void check_identity(Config& c, LoadContext& ctx) {
  // Sessions keep the provider's access token only when a route forwards it: it is the largest part
  // of the session cookie after the ID token, and read by nothing else.
  if (c.identity) {
    c.identity->keep_access_token =
        std::any_of(c.routes.begin(), c.routes.end(), [](const Route& r) { return r.headers.access_token; });
  }
  for (size_t i = 0; i < c.routes.size(); ++i) {
    const Route& rt = c.routes[i];
    std::string key = "routes[" + std::to_string(i) + "].auth";
    if (rt.auth != AuthMode::Public && !c.identity) {
      ctx.errors.push_back({ctx.file, rt.line, key, "needs the identity section (provider, session)"});
    }
    bool bearer = rt.auth == AuthMode::Bearer || rt.auth == AuthMode::SessionOrBearer;
    if (bearer && c.identity && c.identity->bearer_issuers.empty() && rt.bearer.audiences.empty()) {
      ctx.errors.push_back({ctx.file, rt.line, "routes[" + std::to_string(i) + "].bearer.audiences",
                            "bearer routes need audiences (here or in identity.bearer)"});
    }
  }
}

}  // namespace vigie::config
