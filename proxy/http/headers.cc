#include "http/headers.h"

#include "http/auth.h"

#include <array>

#include "core/request_id.h"
#include "core/strings.h"
#include "http/request_head.h"
#include "http/snapshot.h"
#include "upstream/wire.h"

namespace vigie::http {
namespace bhttp = boost::beast::http;
namespace {

// RFC 9110 §7.6.1 hop-by-hop fields, plus the proxy-only ones. Transfer-Encoding is re-derived
// from the parsed framing; Expect is answered by Vigie itself.
bool is_hop_by_hop(bhttp::field f) {
  switch (f) {
    case bhttp::field::connection:
    case bhttp::field::keep_alive:
    case bhttp::field::proxy_connection:
    case bhttp::field::te:
    case bhttp::field::trailer:
    case bhttp::field::transfer_encoding:
    case bhttp::field::upgrade:
    case bhttp::field::proxy_authorization:
    case bhttp::field::expect: return true;
    default: return false;
  }
}

// Identity headers that only Vigie may set. A client that sends them is trying to impersonate
// someone: they are removed before the request goes anywhere (prefix match for the families).
constexpr std::array<std::string_view, 6> kIdentityPrefixes = {"X-Forwarded-User", "X-Forwarded-Email",
                                                               "X-Forwarded-Groups", "X-Forwarded-Preferred-Username",
                                                               "X-Auth-Request-", "X-WEBAUTH-"};
constexpr std::array<std::string_view, 3> kIdentityExact = {"X-Forwarded-Access-Token", "X-JWT-Assertion",
                                                            "X-Vigie-Identity"};

// Headers set or checked by Vigie from untrusted clients only: a client could otherwise pose as
// a proxy in front of us, or steer an upstream's URL rewriting (X-Original-URL bypasses).
constexpr std::array<std::string_view, 6> kProxyOnly = {"X-Real-IP",         "X-Forwarded-Prefix",
                                                        "X-Forwarded-Port",  "X-Forwarded-Server",
                                                        "X-Original-URL",    "X-Rewrite-URL"};

// A client may not make these vanish by listing them in Connection.
bool protected_from_connection(std::string_view name) {
  return core::iequals(name, "Host") || core::iequals(name, "Content-Length") ||
         core::iequals(name, "X-Request-Id") || core::iequals(name, "X-Forwarded-For");
}

// The names listed in Connection (besides close/keep-alive/upgrade), as views into its values.
struct Listed {
  std::array<std::string_view, 16> names{};
  size_t count = 0;
  [[nodiscard]] bool contains(std::string_view n) const {
    for (size_t i = 0; i < count; ++i) {
      if (core::iequals(names[i], n)) return true;
    }
    return false;
  }
};

template <class Fields>
Listed listed_in_connection(const Fields& f) {
  Listed l;
  for (auto it = f.find(bhttp::field::connection); it != f.end() && it->name() == bhttp::field::connection; ++it) {
    for (std::string_view token : core::split_list(it->value())) {
      if (core::iequals(token, "close") || core::iequals(token, "keep-alive") || core::iequals(token, "upgrade") ||
          protected_from_connection(token) || l.count == l.names.size()) {
        continue;
      }
      l.names[l.count++] = token;
    }
  }
  return l;
}

bool is_proxy_only(std::string_view name) {
  for (auto p : kProxyOnly) {
    if (core::iequals(name, p)) return true;
  }
  return false;
}

bool is_identity_header(std::string_view name);

// One pass over the fields removes the hop-by-hop ones (by enum), the names listed in Connection,
// and for client requests the identity headers and, from untrusted peers, the proxy-only ones.
template <class Fields>
void strip_fields(Fields& f, bool from_client, bool untrusted) {
  const Listed listed = listed_in_connection(f);
  for (auto it = f.begin(); it != f.end();) {
    bhttp::field name = it->name();
    bool drop = name != bhttp::field::connection && is_hop_by_hop(name);
    if (!drop && (listed.count > 0 || (from_client && name == bhttp::field::unknown))) {
      std::string_view n = it->name_string();
      drop = listed.contains(n) ||
             (from_client && (n.starts_with('X') || n.starts_with('x')) &&
              (is_identity_header(n) || (untrusted && is_proxy_only(n))));
    }
    it = drop ? f.erase(it) : std::next(it);
  }
  f.erase(bhttp::field::connection);  // last: the listed names pointed into its values
}

bool is_identity_header(std::string_view name) {
  for (auto p : kIdentityPrefixes) {
    if (core::starts_with_icase(name, p)) return true;
  }
  for (auto e : kIdentityExact) {
    if (core::iequals(name, e)) return true;
  }
  return false;
}

bool valid_host(std::string_view h) {
  if (h.empty() || h.size() > 255) return false;
  if (h.front() == '[') {  // IPv6 literal; port already removed
    if (h.size() < 3 || h.back() != ']') return false;
    boost::system::error_code ec;
    (void)boost::asio::ip::make_address_v6(std::string(h.substr(1, h.size() - 2)), ec);
    return !ec;
  }
  for (char c : h) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string host_without_port(std::string_view value) {
  std::string h = core::to_lower(core::trim(value));
  size_t colon = h.rfind(':');
  size_t bracket = h.rfind(']');
  if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket)) {
    std::string_view port = std::string_view(h).substr(colon + 1);
    for (char c : port) {
      if (c < '0' || c > '9') return {};
    }
    h.resize(colon);
  }
  return h;
}

// X-Forwarded-For/-Proto/-Host, X-Real-IP and X-Request-Id, as field lines after the request's own
// (a trusted proxy's X-Forwarded-Proto, -Host and X-Real-IP are kept; its X-Forwarded-For is extended).
void add_forwarding_fields(RequestContext& ctx) {
  auto& req = ctx.request();
  std::string& out = ctx.upstream_fields;
  const bool trusted = ctx.conn.peer_trusted;
  auto xff = req.find("X-Forwarded-For");
  if (trusted && xff != req.end()) {
    out += "X-Forwarded-For: ";
    out += xff->value();
    out += ", ";
    out += ctx.conn.peer_text;
    out += "\r\n";
  } else {
    upstream::append_field(out, "X-Forwarded-For", ctx.conn.peer_text);
  }
  if (xff != req.end()) req.erase("X-Forwarded-For");
  if (!trusted || req.find("X-Forwarded-Proto") == req.end()) {
    if (!trusted) req.erase("X-Forwarded-Proto");
    upstream::append_field(out, "X-Forwarded-Proto", ctx.conn.tls ? "https" : "http");
  }
  if (!trusted || req.find("X-Forwarded-Host") == req.end()) {
    if (!trusted) req.erase("X-Forwarded-Host");
    auto host = req.find(bhttp::field::host);
    if (host != req.end()) upstream::append_field(out, "X-Forwarded-Host", host->value());
  }
  if (!trusted) req.erase(bhttp::field::forwarded);  // an untrusted Forwarded header would be a lie
  // An untrusted peer's X-Real-IP went with the proxy-only fields.
  if (req.find("X-Real-IP") == req.end()) upstream::append_field(out, "X-Real-IP", ctx.client);
  req.erase("X-Request-Id");
  upstream::append_field(out, "X-Request-Id", ctx.request_id);
}

}  // namespace

std::optional<Reason> check_raw_header(std::string_view block, uint32_t max_headers, bool* controls) {
  // One pass, 64 bytes at a time where SSE2 is there: a signed-in browser's block is mostly a
  // cookie without a single control byte, and only control bytes need a look.
  const auto* p = reinterpret_cast<const unsigned char*>(block.data());
  const size_t n = block.size();
  uint32_t lines = 0;
  bool stray = false;
  auto visit = [&](size_t i) -> std::optional<Reason> {
    switch (p[i]) {
      case '\n':
        if (i == 0 || p[i - 1] != '\r') return Reason::BadFraming;  // bare LF
        ++lines;
        // obs-fold: a header line continued on the next line by leading whitespace (RFC 9112 §5.2).
        if (i + 1 < n && (p[i + 1] == ' ' || p[i + 1] == '\t')) return Reason::BadFraming;
        return std::nullopt;
      case '\r':
        if (i + 1 >= n || p[i + 1] != '\n') return Reason::BadFraming;  // bare CR
        return std::nullopt;
      case '\t': return std::nullopt;
      default: stray = true; return std::nullopt;
    }
  };
  size_t i = 0;
#if defined(__SSE2__)
  const char* c = block.data();
  for (; i + 64 <= n; i += 64) {  // 64 clean bytes (the middle of a cookie) cost four tests and a branch
    uint64_t m = uint64_t(control_mask16(c + i)) | uint64_t(control_mask16(c + i + 16)) << 16 |
                 uint64_t(control_mask16(c + i + 32)) << 32 | uint64_t(control_mask16(c + i + 48)) << 48;
    for (; m != 0; m &= m - 1) {
      if (auto r = visit(i + static_cast<size_t>(__builtin_ctzll(m)))) return r;
    }
  }
  for (; i + 16 <= n; i += 16) {
    for (uint32_t m = control_mask16(c + i); m != 0; m &= m - 1) {
      if (auto r = visit(i + static_cast<size_t>(__builtin_ctz(m)))) return r;
    }
  }
#endif
  for (; i < n; ++i) {
    if (p[i] < 0x20 || p[i] == 0x7f) {
      if (auto r = visit(i)) return r;
    }
  }
  // lines = request line + headers + the empty line.
  if (lines > max_headers + 2) return Reason::HeadersTooLarge;
  if (controls) *controls = stray;
  return std::nullopt;
}

std::optional<Reason> check_request(RequestContext& ctx) {
  const auto& req = ctx.request();
  if (req.method() == bhttp::verb::connect) return Reason::MethodNotAllowed;
  auto hosts = req.equal_range(bhttp::field::host);
  if (hosts.first == hosts.second || std::next(hosts.first) != hosts.second) {
    // HTTP/1.0 requests may omit Host; they are routed as host "".
    if (!(hosts.first == hosts.second && req.version() == 10)) return Reason::BadHost;
  } else {
    ctx.host = host_without_port(hosts.first->value());
    if (!valid_host(ctx.host)) return Reason::BadHost;
  }
  auto te = req.find(bhttp::field::transfer_encoding);
  if (te != req.end()) {
    // Only plain "chunked" is accepted: stacked codings are a classic smuggling vector, and
    // HTTP/1.0 has no chunked framing at all.
    if (req.version() < 11 || !core::iequals(core::trim(te->value()), "chunked") ||
        req.count(bhttp::field::transfer_encoding) > 1) {
      return Reason::BadFraming;
    }
  }
  auto expect = req.find(bhttp::field::expect);
  if (expect != req.end() && !core::iequals(core::trim(expect->value()), "100-continue")) {
    return Reason::ExpectationFailed;
  }
  return std::nullopt;
}

bool is_websocket_upgrade(const upstream::RequestParser::value_type& req) {
  auto up = req.find(bhttp::field::upgrade);
  if (up == req.end() || !core::list_contains(up->value(), "websocket")) return false;
  auto conn = req.find(bhttp::field::connection);
  return conn != req.end() && core::list_contains(conn->value(), "upgrade");
}

void identify_client(RequestContext& ctx, const core::CidrSet& trusted) {
  auto& req = ctx.request();
  ctx.client = ctx.conn.peer_text;
  if (ctx.conn.peer_trusted) {
    // Walk X-Forwarded-For from the right: the first address that is not a trusted proxy is the client.
    auto xff = req.find("X-Forwarded-For");
    if (xff != req.end()) {
      auto hops = core::split_list(xff->value());
      for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
        boost::system::error_code ec;
        auto addr = boost::asio::ip::make_address(std::string(*it), ec);
        if (ec) break;
        ctx.client = std::string(*it);
        if (!trusted.contains(addr)) break;
      }
    }
    auto id = req.find("X-Request-Id");
    if (id != req.end() && core::valid_request_id(id->value())) ctx.request_id = std::string(id->value());
  }
  if (ctx.request_id.empty()) ctx.request_id = core::new_request_id();
}

void prepare_upstream_request(RequestContext& ctx) {
  auto& req = ctx.request();
  bool chunked = ctx.parser.chunked();
  auto length = ctx.parser.content_length();
  const bool trusted = ctx.conn.peer_trusted;
  strip_fields(req, true, !trusted);
  ctx.upstream_fields.clear();
  ctx.upstream_fields.reserve(512);  // identity and forwarding lines: one allocation, not one per doubling
  set_identity_headers(ctx);
  req.erase(bhttp::field::content_length);
  req.version(11);
  if (chunked) req.chunked(true);
  else if (length && *length > 0) req.content_length(*length);
  else if (length) req.set(bhttp::field::content_length, "0");
  if (ctx.upgrade) {
    req.set(bhttp::field::upgrade, "websocket");
    req.set(bhttp::field::connection, "upgrade");
  }
  add_forwarding_fields(ctx);
  const config::Route& r = *ctx.route->cfg;
  std::string target;
  if (r.rewrite_prefix) {
    target = *r.rewrite_prefix;
    std::string_view rest = std::string_view(ctx.path).substr(r.path.size());
    if (target.ends_with('/') && rest.starts_with('/')) rest.remove_prefix(1);
    target += rest;
    if (target.empty()) target = "/";
  } else {
    target = ctx.path;
  }
  if (!ctx.query.empty()) {
    target += '?';
    target += ctx.query;
  }
  req.target(target);
}

void prepare_downstream_response(const RequestContext& ctx, upstream::Response& res, bool keep_alive) {
  bool chunked = res.chunked();
  bool upgrade = res.result_int() == 101;
  strip_fields(res, false, false);
  res.version(11);
  if (chunked) res.chunked(true);
  res.set("X-Request-Id", ctx.request_id);
  for (const auto& [name, value] : ctx.response_headers) res.insert(name, value);
  // A page shown to a signed-in user (a patient chart) must not outlive the session in a browser
  // or a shared cache: after sign-out, Back must not show it. Upstreams that set their own
  // Cache-Control (static assets) keep it.
  if (ctx.identity && res.find(bhttp::field::cache_control) == res.end()) {
    res.set(bhttp::field::cache_control, "private, no-store");
  }
  if (upgrade) {
    res.set(bhttp::field::upgrade, "websocket");
    res.set(bhttp::field::connection, "upgrade");
  } else {
    res.keep_alive(keep_alive);
  }
}

}  // namespace vigie::http
