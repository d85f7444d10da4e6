#include "cli/explain_command.h"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/proxy_view.h"
#include "config/loader.h"
#include "core/http_method.h"
#include "core/strings.h"
#include "core/url.h"
#include "router/table.h"

namespace vigie::cli {
namespace {

constexpr const char* kUsage =
    "usage: vigie explain --config FILE --claims CLAIMS.json --request 'METHOD https://host/path?query'\n"
    "                     [--auth session|bearer|client_credentials] [--client ADDRESS]\n"
    "                     [--justification TEXT] [--time 2026-12-04T10:00:00Z] [--json]\n";

// As authn::Service::is_endpoint: the JWKS document and everything under the login prefix are
// answered by Vigie itself, before routing.
constexpr std::string_view kJwksPath = "/.well-known/vigie/jwks.json";

bool vigie_endpoint(const config::Config& cfg, std::string_view path) {
  if (!cfg.identity) return false;
  if (path == kJwksPath) return true;
  const std::string& p = cfg.identity->login.prefix;
  return path.size() > p.size() && path.starts_with(p) && path[p.size()] == '/';
}

struct Options {
  std::string config;
  std::string claims;
  ExplainRequest req;
  bool json = false;
};

// Reads the flags; the message says what is wrong.
core::Result<Options, std::string> parse(const std::vector<std::string>& args) {
  Options o;
  std::string time;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--json") {
      o.json = true;
      continue;
    }
    if (i + 1 >= args.size()) return core::fail("unknown option or missing value: " + a);
    const std::string& v = args[++i];
    if (a == "--config")
      o.config = v;
    else if (a == "--claims")
      o.claims = v;
    else if (a == "--request")
      o.req.request = v;
    else if (a == "--client")
      o.req.client = v;
    else if (a == "--justification")
      o.req.justification = v;
    else if (a == "--time")
      time = v;
    else if (a == "--auth") {
      o.req.auth = authz::auth_method_bit(v);
      if (!o.req.auth)
        return core::fail("--auth: expected session, bearer or client_credentials, got '" + v + "'");
    } else {
      return core::fail("unknown option: " + a);
    }
  }
  if (o.config.empty() || o.claims.empty() || o.req.request.empty()) {
    return core::fail(std::string("--config, --claims and --request are required"));
  }
  if (!time.empty()) {
    auto t = authz::parse_time(time);
    if (!t) return core::fail("--time: expected a time such as 2026-12-04T10:00:00Z, got '" + time + "'");
    o.req.now = *t;
  }
  boost::system::error_code ec;
  (void)boost::asio::ip::make_address(o.req.client, ec);
  if (ec) return core::fail("--client: not an IP address: '" + o.req.client + "'");
  return o;
}

core::Result<nlohmann::json, std::string> read_claims(const std::string& file) {
  std::stringstream ss;
  if (file == "-") {
    ss << std::cin.rdbuf();
  } else {
    std::ifstream in(file);
    if (!in) return core::fail(file + ": cannot open the file");
    ss << in.rdbuf();
  }
  auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded()) return core::fail(file + ": claims: not valid JSON");
  if (!j.is_object()) return core::fail(file + ": claims: expected a JSON object of token claims");
  return j;
}

}  // namespace

core::Result<authz::Explanation, std::string> explain(const config::Config& cfg, const ExplainRequest& req) {
  authz::Explanation e;
  std::string_view line = core::trim(req.request);
  size_t space = line.find(' ');
  std::string method(line.substr(0, space));
  std::string_view url_text =
      space == std::string_view::npos ? std::string_view{} : core::trim(line.substr(space));
  bool token = !method.empty() &&
               std::all_of(method.begin(), method.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
  auto url = core::parse_url(url_text);
  if (!token || !url) {
    return core::fail("--request: expected 'METHOD http[s]://host[:port]/path[?query]', got '" + req.request +
                      "'");
  }
  e.request.method = method;
  e.request.url = std::string(url_text);
  // The proxy routes on the Host header: lower case (parse_url did it), without the port.
  e.request.host = url->host;
  auto path = normalised_path(url->target);
  size_t q = url->target.find('?');
  if (q != std::string::npos) e.request.query = url->target.substr(q + 1);
  if (!path) {
    e.outcome = authz::Outcome::BadRequest;
    e.note = "the proxy refuses this path before routing: " + path.error();
    return e;
  }
  e.request.path = *path;
  if (vigie_endpoint(cfg, e.request.path)) {
    e.outcome = authz::Outcome::Endpoint;
    e.note = "served by Vigie itself (login, logout, JWKS), before any route or policy";
    return e;
  }
  router::Table table(cfg);
  const router::Route* route = table.match(e.request.host, e.request.path, method);
  if (!route) {
    e.outcome = authz::Outcome::NoRoute;
    e.note = "no route matches this host, path and method";
    return e;
  }
  const config::Route& rc = *route->cfg;
  e.route = authz::Explanation::Route{rc.id, cfg.source, rc.line, std::string(auth_mode_name(rc.auth))};
  if (rc.auth == config::AuthMode::Public) {
    e.outcome = authz::Outcome::Public;
    e.note = "a public route: no caller, no policy";
    return e;
  }
  const config::Policy& policy = cfg.authorization.policies.at(rc.policy_index);
  e.policy = authz::Explanation::PolicyInfo{{policy.name, policy.file, policy.line}, policy.description};
  authz::Caller caller =
      caller_from_claims(req.claims, req.auth, authz::policy_claim_names(cfg.authorization));
  authz::Facts f;
  f.subject = caller.subject();
  f.method = core::method_bit(method);
  f.path = e.request.path;
  f.client = req.client;
  f.justification = req.justification;
  f.now = req.now;
  e.caller = authz::describe(caller, cfg.authorization, f);
  e.evaluation = authz::evaluate_traced(policy, f);
  e.outcome = e.evaluation->outcome;
  // Authentication runs first: its refusal is the answer, the policy's verdict only a hint.
  if (auto refusal = authn_refusal(rc, caller)) {
    e.outcome = refusal->outcome;
    e.note = refusal->note + "; the policy below would not be reached";
  } else if (e.outcome == authz::Outcome::JustificationRequired) {
    e.note = "a break-glass rule allows with a justification of at least " +
             std::to_string(authz::kMinJustification) + " characters in " +
             cfg.authorization.break_glass_header;
  }
  return e;
}

int explain_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  auto opts = parse(args);
  if (!opts) {
    err << opts.error() << "\n" << kUsage;
    return 2;
  }
  // Never the secrets: explain does not serve, and runs where they are not.
  auto cfg = config::load_file(opts->config, config::LoadOptions{.read_secrets = false});
  if (!cfg) {
    for (const auto& e : cfg.error()) err << e.to_string() << "\n";
    err << cfg.error().size() << " error(s) in " << opts->config << "\n";
    return 2;
  }
  auto claims = read_claims(opts->claims);
  if (!claims) {
    err << claims.error() << "\n";
    return 2;
  }
  opts->req.claims = std::move(*claims);
  auto e = explain(**cfg, opts->req);
  if (!e) {
    err << e.error() << "\n" << kUsage;
    return 2;
  }
  out << (opts->json ? authz::render_json(*e) + "\n" : authz::render_text(*e));
  return authz::exit_status(e->outcome);
}

}  // namespace vigie::cli
