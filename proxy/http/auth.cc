#include "http/auth.h"

#include <algorithm>

#include "core/strings.h"
#include "core/url.h"
#include "http/audit.h"
#include "http/authorize.h"
#include "http/path.h"
#include "http/request_head.h"
#include "http/request_context.h"
#include "http/snapshot.h"
#include "session/cookies.h"
#include "upstream/wire.h"

namespace vigie::http {
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
namespace {

std::string_view header(RequestContext& ctx, std::string_view name) {
  auto it = ctx.request().find(name);
  return it == ctx.request().end() ? std::string_view{} : std::string_view(it->value());
}

// All Cookie fields joined: a view of the field when there is one (HTTP/1.1 clients normally send
// one, and a signed-in browser's is a few KB), else of `joined`.
std::string_view cookies(RequestContext& ctx, std::string& joined) {
  auto& req = ctx.request();
  auto it = req.find(bhttp::field::cookie);
  if (it == req.end()) return {};
  auto next = std::next(it);
  if (next == req.end() || next->name() != bhttp::field::cookie) return it->value();
  for (; it != req.end() && it->name() == bhttp::field::cookie; ++it) {
    if (!joined.empty()) joined += "; ";
    joined += it->value();
  }
  return joined;
}

authn::Request make_request(RequestContext& ctx, std::string_view cookie) {
  bool get = ctx.request().method() == bhttp::verb::get || ctx.request().method() == bhttp::verb::head;
  bool trusted = ctx.conn.peer_trusted;
  std::string_view proto = header(ctx, "X-Forwarded-Proto");
  authn::Request r;
  r.method = ctx.method();
  r.host_header = ctx.request()[bhttp::field::host];
  r.host = ctx.host;
  r.path = ctx.path;
  r.query = ctx.query;
  r.target = ctx.request().target();
  r.cookie = cookie;
  r.authorization = ctx.request()[bhttp::field::authorization];
  r.body = ctx.endpoint_body;
  r.tls = ctx.conn.tls || (trusted && core::iequals(proto, "https"));
  r.browser = get && ctx.prefs.html;
  r.original_url = header(ctx, "X-Original-URL");
  r.original_method = header(ctx, "X-Original-Method");
  r.forwarded_proto = proto;
  r.forwarded_host = header(ctx, "X-Forwarded-Host");
  r.forwarded_uri = header(ctx, "X-Forwarded-Uri");
  r.forwarded_method = header(ctx, "X-Forwarded-Method");
  return r;
}

class AuthenticateStage final : public Stage {
 public:
  asio::awaitable<Verdict> run(RequestContext& ctx) const override {
    const config::Route& route = *ctx.route->cfg;
    if (route.auth == config::AuthMode::Public) co_return Continue{};
    // Load refuses a non-public route without an identity section.
    const authn::Service& auth = *ctx.snapshot->auth;
    std::string joined;
    std::string_view cookie = cookies(ctx, joined);
    authn::Request req = make_request(ctx, cookie);  // named: see RefreshFlights::Refresh in service.cc
    authn::Authenticated a = co_await auth.authenticate(req, route, *ctx.auth_caches);
    for (auto& h : a.response_headers) ctx.response_headers.push_back(std::move(h));
    if (a.refusal) co_return Respond{reason_for(a.refusal->failure), std::move(a.refusal->headers), a.refusal->detail};
    ctx.identity = std::move(a.identity);
    co_return Continue{};
  }
};

struct Described {
  bool invalid = false;  // a description that does not parse or normalise: refused, never guessed
  const router::Route* route = nullptr;
  bool nginx = false;    // from X-Original-URL: the ingress wants 401, not a redirect
  std::string origin;    // "https://host" of the protected request
  std::string target;    // its path and query, for the return URL
  std::string path;      // normalised, as the policy sees it
  std::string query;     // as sent
  std::string host;      // lower-case, without port
  std::string_view method;
};

// The route the ingress asks about in forward-auth mode: X-Original-URL (NGINX Ingress), else
// X-Forwarded-Host/-Uri/-Method (Traefik) from a trusted proxy, else the path after
// <prefix>/auth/ on the request's own host (Envoy ext_authz appends the original path). The path
// is normalised exactly as a proxied request's is, or "/public/../openmrs" would be judged as a
// public path while the ingress serves /openmrs.
Described described_route(RequestContext& ctx, const authn::Request& r, std::string_view prefix) {
  std::string host;
  std::string_view target;
  // Traefik forwards the client's own headers with its X-Forwarded-*: a Traefik-shaped check never
  // reads X-Original-* (a client could name another method or URL there). X-Forwarded-Method, like
  // -Host and -Uri, is believed only from a trusted proxy.
  bool traefik = !r.forwarded_uri.empty() || !r.forwarded_method.empty();
  std::string_view original_url = traefik ? std::string_view{} : r.original_url;
  std::string_view method = traefik                  ? (ctx.conn.peer_trusted ? r.forwarded_method : std::string_view{})
                            : !original_url.empty() ? r.original_method
                                                    : std::string_view{};
  std::optional<core::Url> url;
  std::string auth_path = std::string(prefix) + "/auth";
  if (r.path != auth_path && !r.path.starts_with(auth_path + "/")) return {};  // not the forward-auth endpoint
  Described d;
  std::string_view proto = ctx.conn.tls ? "https" : "http";
  if (!original_url.empty()) {
    url = core::parse_url(original_url);
    if (!url) return {true};
    host = url->host;
    target = url->target;
    d.nginx = true;
  } else if (!r.forwarded_host.empty() && ctx.conn.peer_trusted) {
    host = core::to_lower(r.forwarded_host.substr(0, r.forwarded_host.find(':')));
    target = r.forwarded_uri.empty() ? std::string_view("/") : r.forwarded_uri;
    d.origin = std::string(r.forwarded_proto.empty() ? proto : r.forwarded_proto) + "://" + std::string(r.forwarded_host);
  } else if (r.path.starts_with(auth_path + "/")) {
    if (!r.target.starts_with(auth_path + "/")) return {true};  // an encoded prefix: ambiguous
    host = ctx.host;
    target = r.target.substr(auth_path.size());
    method = r.method;  // Envoy's ext_authz check request carries the original method itself
    d.origin = std::string(r.tls ? "https" : "http") + "://" + std::string(r.host_header);
  } else {
    return {};
  }
  auto normal = normalise_target(target);
  if (!normal) return {true};
  d.method = method.empty() ? std::string_view("GET") : method;
  d.route = ctx.snapshot->routes.match(host, normal->path, d.method);
  d.target = std::string(target);
  d.path = std::move(normal->path);
  d.query = std::string(normal->query);
  d.host = std::move(host);
  return d;
}

// Claims are user-controlled text (a display name): never let one end a header line. The field
// line, with every control character of the value written as a space when it has any.
void append_claim(std::string& out, std::string_view name, std::string_view value) {
  size_t from = out.size() + name.size() + 2;
  upstream::append_field(out, name, value);
  if (valid_field_value(value)) return;  // almost always: sixteen bytes at a time
  auto control = [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; };
  std::replace_if(out.begin() + std::ptrdiff_t(from), out.end() - 2, control, ' ');
}

std::string joined(const std::vector<std::string>& v) {
  size_t size = v.size();
  for (const auto& s : v) size += s.size();
  std::string out;
  out.reserve(size);
  for (const auto& s : v) {
    if (!out.empty()) out += ',';
    out += s;
  }
  return out;
}

const std::string& grafana_role(const config::IdentityHeaders& h, const authn::Identity& id) {
  static const std::string kViewer = "Viewer";
  for (const auto& r : h.grafana_roles) {
    for (const auto& m : r.members) {
      if (id.in_group(m) || id.has_role(m)) return r.role;
    }
  }
  return kViewer;
}

}  // namespace

std::unique_ptr<const Stage> make_authenticate_stage() { return std::make_unique<AuthenticateStage>(); }

bool is_auth_endpoint(const RequestContext& ctx) {
  return ctx.snapshot->auth && ctx.snapshot->auth->is_endpoint(ctx.path);
}

asio::awaitable<authn::EndpointAnswer> serve_auth_endpoint(RequestContext& ctx) {
  std::string joined;
  std::string_view cookie = cookies(ctx, joined);
  authn::Request r = make_request(ctx, cookie);
  const authn::Service& auth = *ctx.snapshot->auth;
  Described d = described_route(ctx, r, auth.config().login.prefix);
  if (d.invalid) co_return authn::Refusal{authn::Failure::BadOriginalRequest, "bad_original_url", {}};
  if (!d.origin.empty()) {
    // Traefik and Envoy hand a refusal to the browser as it is: send browsers to the login on
    // the protected host (whose /oauth2/ paths reach Vigie), with the original path to return to.
    r.browser = (d.method == "GET" || d.method == "HEAD") && ctx.prefs.html;
    r.login_origin = d.origin;
    r.target = d.target;
  } else {
    r.browser = false;  // NGINX redirects to its auth-signin itself; with no description, nowhere to return
  }
  authn::EndpointAnswer answer = co_await auth.endpoint(r, *ctx.auth_caches, d.route ? d.route->cfg : nullptr);
  // Forward-auth answers "may this request pass?": knowing the caller is half of it, the described
  // route's policy is the other. No described route, no policy: refused (default deny).
  auto* reply = std::get_if<authn::Reply>(&answer);
  if (reply && reply->identity) {
    if (!d.route) co_return authn::Refusal{authn::Failure::PolicyDenied, "no_route", {}};
    ctx.decision = authorize(ctx, *d.route, *reply->identity, d.method, d.path);
    if (!ctx.decision->allowed) answer = authn::Refusal{authn::Failure::PolicyDenied, ctx.decision->reason(), {}};
  }
  // The ingress serves the request itself: its audit record is written here, for the decision,
  // before the ingress learns it (and 503 when the record cannot be written).
  if (d.route) {
    auto* refusal = std::get_if<authn::Refusal>(&answer);
    std::optional<Reason> refused;
    if (refusal) refused = reason_for(refusal->failure);
    DescribedRequest described{d.route, d.method, d.host, d.path, d.query,
                               reply && reply->identity ? reply->identity : nullptr};
    int status = refused ? info(*refused).status : (reply ? reply->status : 200);
    if (!co_await record_forward_auth(ctx, described, status, refused)) {
      co_return authn::Refusal{authn::Failure::AuditUnavailable, "audit_unavailable", {}};
    }
  }
  co_return answer;
}

void set_identity_headers(RequestContext& ctx) {
  auto& req = ctx.request();
  // A break-glass justification is addressed to Vigie (the decision and the audit record), not to
  // the upstream, whose logs would keep clinical free text.
  if (ctx.snapshot) req.erase(ctx.snapshot->config->authorization.break_glass_header);
  if (ctx.snapshot && ctx.snapshot->auth) {
    // Vigie's cookies are credentials for Vigie only; an upstream (or its logs) never sees them.
    std::string joined;
    std::string kept = session::strip_cookies(cookies(ctx, joined), ctx.snapshot->auth->cookie_prefixes());
    req.erase(bhttp::field::cookie);
    if (!kept.empty()) req.set(bhttp::field::cookie, kept);
  }
  if (!ctx.identity) return;
  const authn::Identity& id = *ctx.identity;
  // A bearer token Vigie verified is Vigie's credential, not the upstream's (Envoy's jwt_authn also
  // removes it by default): a route that needs it asks for X-Forwarded-Access-Token.
  if (id.method != authn::Method::Session) req.erase(bhttp::field::authorization);
  const config::IdentityHeaders& h = ctx.route->cfg->headers;
  std::string& out = ctx.upstream_fields;  // the client's versions were removed (strip_fields)
  auto set = [&](std::string_view name, std::string_view value) { append_claim(out, name, value); };
  if (h.user) {
    set("X-Forwarded-User", id.user());
    if (!id.email.empty()) set("X-Forwarded-Email", id.email);
    if (!id.preferred_username.empty()) set("X-Forwarded-Preferred-Username", id.preferred_username);
    if (!id.groups.empty()) set("X-Forwarded-Groups", joined(id.groups));
  }
  if (h.grafana) {
    set("X-WEBAUTH-USER", id.user());
    if (!id.email.empty()) set("X-WEBAUTH-EMAIL", id.email);
    if (!id.name.empty()) set("X-WEBAUTH-NAME", id.name);
    set("X-WEBAUTH-ROLE", grafana_role(h, id));
  }
  if (h.access_token && !id.access_token.empty()) set("X-Forwarded-Access-Token", id.access_token);
  if (h.assertion && ctx.assertion_cache) {
    int64_t now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    upstream::append_field(out, "X-JWT-Assertion",
                           ctx.assertion_cache->get(ctx.snapshot->auth->assertion(), id, ctx.host, now));
  }
}

}  // namespace vigie::http
