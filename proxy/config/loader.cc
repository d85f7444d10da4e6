#include "config/loader.h"

#include <boost/asio/ip/address.hpp>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <charconv>

#include "config/audit_loader.h"
#include "config/identity_loader.h"
#include "config/policy_loader.h"
#include "config/reader.h"
#include "core/strings.h"

namespace vigie::config {
namespace {

constexpr uint64_t kMaxPort = 65535;

bool valid_host_pattern(const std::string& h) {
  std::string_view s = h;
  if (s.starts_with("*.")) s.remove_prefix(2);
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

bool readable(const std::string& path) { return std::ifstream(path).good(); }

void read_tls_server(Reader& r, Listener& l) {
  TlsServer tls;
  tls.cert_file = r.str("cert_file", true).value_or("");
  tls.key_file = r.str("key_file", true).value_or("");
  // The key file is a secret like the others: without secrets, neither it nor its certificate is opened.
  if (r.context().read_secrets) {
    for (auto [key, file] : {std::pair{"cert_file", &tls.cert_file}, std::pair{"key_file", &tls.key_file}}) {
      if (!file->empty() && !readable(*file)) r.error(key, "cannot read " + *file);
    }
  }
  l.tls = tls;
}

void read_listener(Reader& r, Config& c) {
  Listener l;
  l.name = r.str("name").value_or("listener" + std::to_string(c.listeners.size()));
  l.address = r.str("address").value_or("0.0.0.0");
  boost::system::error_code ec;
  boost::asio::ip::make_address(l.address, ec);
  if (ec) r.error("address", "not an IP address: '" + l.address + "'");
  auto port = r.uint("port", 0, kMaxPort);  // 0: any free port
  if (!r.has("port") || (!port && r.str("port") == std::nullopt)) r.error("port", "is required");
  l.port = static_cast<uint16_t>(port.value_or(0));
  r.child("tls", [&](Reader& t) { read_tls_server(t, l); });
  c.listeners.push_back(std::move(l));
}

// "http://host:port" or "https://host:port" (port defaults to 80/443); no path, no user info.
bool parse_endpoint(const std::string& url, Endpoint& e) {
  std::string_view s = url;
  if (s.starts_with("http://")) s.remove_prefix(7);
  else if (s.starts_with("https://")) { s.remove_prefix(8); e.tls = true; }
  else return false;
  if (s.ends_with("/")) s.remove_suffix(1);
  if (s.empty() || s.find_first_of("/@?#") != std::string_view::npos) return false;
  size_t colon = s.rfind(':');
  size_t bracket = s.rfind(']');
  unsigned port = e.tls ? 443 : 80;
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    std::string_view p = s.substr(colon + 1);
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
    if (ec != std::errc{} || end != p.data() + p.size() || port == 0 || port > kMaxPort) return false;
    s = s.substr(0, colon);
  }
  if (s.starts_with("[") && s.ends_with("]")) s = s.substr(1, s.size() - 2);
  if (s.empty()) return false;
  e.host = std::string(s);
  e.port = static_cast<uint16_t>(port);
  return true;
}

void read_cluster(Reader& r, Config& c) {
  Cluster cl;
  cl.name = r.str("name", true).value_or("");
  auto urls = r.strings("endpoints");
  if (urls.empty()) r.error("endpoints", "needs at least one http:// or https:// endpoint");
  for (const auto& u : urls) {
    Endpoint e;
    if (!parse_endpoint(u, e)) {
      r.error("endpoints", "'" + u + "' is not of the form http[s]://host[:port]");
      continue;
    }
    cl.endpoints.push_back(e);
  }
  r.child("tls", [&](Reader& t) {
    cl.tls.ca_file = t.str("ca_file").value_or("");
    cl.tls.server_name = t.str("server_name").value_or("");
    // Mounted beside the secrets in a deployment, and as absent from a laptop running explain.
    if (!cl.tls.ca_file.empty() && t.context().read_secrets && !readable(cl.tls.ca_file)) {
      t.error("ca_file", "cannot read " + cl.tls.ca_file);
    }
  });
  r.child("timeouts", [&](Reader& t) {
    cl.connect_timeout = t.duration("connect").value_or(cl.connect_timeout);
    cl.response_timeout = t.duration("response_header").value_or(cl.response_timeout);
    cl.idle_timeout = t.duration("idle").value_or(cl.idle_timeout);
  });
  cl.max_connections = static_cast<uint32_t>(r.uint("max_connections", 1, 1'000'000).value_or(cl.max_connections));
  c.clusters.push_back(std::move(cl));
}

void read_path(Reader& p, Route& rt) {
  int kinds = 0;
  if (auto v = p.str("prefix")) { rt.path_match = PathMatch::Prefix; rt.path = *v; ++kinds; }
  if (auto v = p.str("exact")) { rt.path_match = PathMatch::Exact; rt.path = *v; ++kinds; }
  if (auto v = p.str("regex")) { rt.path_match = PathMatch::Regex; rt.path = *v; ++kinds; }
  if (kinds != 1) {
    p.error("", "needs exactly one of prefix, exact, regex");
    return;
  }
  if (rt.path_match == PathMatch::Regex) {
    try {
      std::regex re(rt.path, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      p.error("regex", std::string("invalid regular expression: ") + e.what());
    }
  } else if (!rt.path.starts_with("/")) {
    p.error(rt.path_match == PathMatch::Prefix ? "prefix" : "exact", "must start with '/'");
  }
}

const std::set<std::string, std::less<>> kMethods = {"GET",  "HEAD",    "POST",    "PUT",  "DELETE",
                                                     "PATCH", "OPTIONS", "CONNECT", "TRACE"};

void read_route(Reader& r, Config& c) {
  Route rt;
  rt.line = r.line();
  rt.id = r.str("id", true).value_or("");
  rt.host = core::to_lower(r.str("host").value_or(""));
  if (!rt.host.empty() && !valid_host_pattern(rt.host)) {
    r.error("host", "expected a host name or *.suffix, got '" + rt.host + "'");
  }
  if (!r.child("path", [&](Reader& p) { read_path(p, rt); })) {
    r.error("path", "is required (prefix, exact or regex)");
  }
  for (auto& m : r.strings("methods")) {
    if (!kMethods.contains(m)) r.error("methods", "unknown method '" + m + "'");
    rt.methods.push_back(m);
  }
  rt.cluster = r.str("cluster", true).value_or("");
  r.child("rewrite", [&](Reader& w) {
    rt.rewrite_prefix = w.str("prefix", true);
    if (rt.rewrite_prefix && !rt.rewrite_prefix->starts_with("/")) w.error("prefix", "must start with '/'");
  });
  if (rt.rewrite_prefix && rt.path_match != PathMatch::Prefix) r.error("rewrite", "applies to prefix paths only");
  if (auto v = r.uint("max_body_bytes", 0, 1ull << 40)) rt.max_body_bytes = *v;
  rt.websocket = r.boolean("websocket").value_or(false);
  rt.log_query = r.boolean("log_query").value_or(false);
  read_route_auth(r, rt);
  rt.policy = r.str("policy").value_or("");
  if (auto audit = r.str("audit")) {
    if (*audit == "patient") rt.audit_patient = true;
    else r.error("audit", "expected patient, got '" + *audit + "'");
  }
  c.routes.push_back(std::move(rt));
}

void read_top(Reader& r, Config& c) {
  c.workers = static_cast<unsigned>(r.uint("workers", 0, 256).value_or(0));
  r.each("listeners", [&](Reader& l) { read_listener(l, c); }, true);
  r.each("clusters", [&](Reader& l) { read_cluster(l, c); }, true);
  r.each("routes", [&](Reader& l) { read_route(l, c); }, true);
  for (const auto& cidr : r.strings("trusted_proxies")) {
    auto parsed = core::Cidr::parse(cidr);
    if (!parsed) r.error("trusted_proxies", "'" + cidr + "' is not an address or CIDR network");
    else c.trusted_proxies.add(*parsed);
  }
  r.child("limits", [&](Reader& l) {
    auto& x = c.limits;
    x.max_connections = static_cast<uint32_t>(l.uint("max_connections", 1, 10'000'000).value_or(x.max_connections));
    x.request_line_bytes = static_cast<uint32_t>(l.uint("request_line_bytes", 256, 1 << 20).value_or(x.request_line_bytes));
    x.header_bytes = static_cast<uint32_t>(l.uint("header_bytes", 1024, 1 << 20).value_or(x.header_bytes));
    x.header_count = static_cast<uint32_t>(l.uint("header_count", 8, 10'000).value_or(x.header_count));
    x.max_body_bytes = l.uint("max_body_bytes", 0, 1ull << 40).value_or(x.max_body_bytes);
  });
  r.child("timeouts", [&](Reader& t) {
    auto& x = c.timeouts;
    x.request_header = t.duration("request_header").value_or(x.request_header);
    x.idle = t.duration("idle").value_or(x.idle);
    x.body = t.duration("body").value_or(x.body);
    x.websocket_idle = t.duration("websocket_idle").value_or(x.websocket_idle);
    x.drain = t.duration("drain").value_or(x.drain);
  });
  r.child("admin", [&](Reader& a) {
    c.admin.address = a.str("address").value_or(c.admin.address);
    boost::system::error_code ec;
    boost::asio::ip::make_address(c.admin.address, ec);
    if (ec) a.error("address", "not an IP address: '" + c.admin.address + "'");
    c.admin.port = static_cast<uint16_t>(a.uint("port", 0, kMaxPort).value_or(c.admin.port));
  });
  r.child("access_log", [&](Reader& a) { c.access_log.path = a.str("path").value_or(c.access_log.path); });
  r.child("identity", [&](Reader& i) { read_identity(i, c.identity.emplace()); });
  add_builtin_policies(c.authorization);
  r.child("authorization", [&](Reader& a) { read_authorization(a, c); });
  r.child("audit", [&](Reader& a) { read_audit(a, c.audit); });
}

void cross_check(Config& c, LoadContext& ctx) {
  auto err = [&](int line, const std::string& key, const std::string& msg) {
    ctx.errors.push_back({ctx.file, line, key, msg});
  };
  std::set<std::string> clusters;
  for (size_t i = 0; i < c.clusters.size(); ++i) {
    if (!clusters.insert(c.clusters[i].name).second) {
      err(0, "clusters[" + std::to_string(i) + "].name", "duplicate cluster name '" + c.clusters[i].name + "'");
    }
  }
  std::set<std::string> ids;
  for (size_t i = 0; i < c.routes.size(); ++i) {
    const Route& rt = c.routes[i];
    std::string key = "routes[" + std::to_string(i) + "]";
    if (!rt.id.empty() && !ids.insert(rt.id).second) err(rt.line, key + ".id", "duplicate route id '" + rt.id + "'");
    if (!rt.cluster.empty() && !clusters.contains(rt.cluster)) {
      err(rt.line, key + ".cluster", "no cluster named '" + rt.cluster + "'");
    }
  }
  check_identity(c, ctx);
  check_policies(c, ctx);
  check_audit(c, ctx);
  std::set<std::pair<std::string, uint16_t>> binds;
  for (size_t i = 0; i < c.listeners.size(); ++i) {
    if (!binds.insert({c.listeners[i].address, c.listeners[i].port}).second) {
      err(0, "listeners[" + std::to_string(i) + "]", "address and port already used by another listener");
    }
  }
}

core::Result<std::shared_ptr<const Config>, Errors> load_node(const YAML::Node& root, LoadContext& ctx) {
  auto c = std::make_shared<Config>();
  c->source = ctx.file;
  if (!root.IsMap()) {
    ctx.errors.push_back({ctx.file, 0, "", "expected a mapping at the top level"});
    return core::fail(ctx.errors);
  }
  Reader r(root, "", ctx);
  read_top(r, *c);
  r.finish();
  cross_check(*c, ctx);
  if (!ctx.errors.empty()) return core::fail(ctx.errors);
  return c;
}

}  // namespace

core::Result<std::shared_ptr<const Config>, Errors> load_string(const std::string& text,
                                                                const std::string& file, LoadOptions options) {
  LoadContext ctx{file, {}, options.read_secrets};
  try {
    YAML::Node root = YAML::Load(text);
    return load_node(root, ctx);
  } catch (const YAML::Exception& e) {
    ctx.errors.push_back({file, e.mark.line >= 0 ? e.mark.line + 1 : 0, "", "syntax error: " + e.msg});
    return core::fail(ctx.errors);
  }
}

core::Result<std::shared_ptr<const Config>, Errors> load_file(const std::string& path, LoadOptions options) {
  std::ifstream in(path);
  if (!in) return core::fail(Errors{{path, 0, "", "cannot open the file"}});
  std::stringstream ss;
  ss << in.rdbuf();
  return load_string(ss.str(), path, options);
}

}  // namespace vigie::config
