#include "config/policy_loader.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "core/strings.h"
#include "core/http_method.h"

namespace vigie::config {
namespace {

using Kind = Criterion::Kind;

bool is_guid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    char c = s[i];
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (dash ? c != '-' : !hex) return false;
  }
  return true;
}

std::string listed(const std::string& key, const std::vector<std::string>& values) {
  std::string out = key + ": [";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + values[i];
  return out + "]";
}

void sorted(std::vector<std::string>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

// "07:30" -> 450.
std::optional<int> minutes(const std::string& s) {
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  auto digit = [&](size_t i) { return s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : -100; };
  int h = digit(0) * 10 + digit(1);
  int m = digit(3) * 10 + digit(4);
  if (h < 0 || m < 0 || h > 24 || m > 59 || (h == 24 && m != 0)) return std::nullopt;
  return h * 60 + m;
}

std::optional<TimeWindow> read_time(Reader& t) {
  static const char* kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  TimeWindow w;
  bool ok = true;
  auto days = t.strings("days");
  if (t.has("days") && days.empty()) { t.error("days", "is empty: the window would never open"); ok = false; }
  if (!days.empty()) w.days = 0;
  for (const auto& d : days) {
    auto it = std::find(std::begin(kDays), std::end(kDays), core::to_lower(d));
    if (it == std::end(kDays)) {
      t.error("days", "unknown day '" + d + "' (mon, tue, wed, thu, fri, sat, sun)");
      ok = false;
    } else {
      w.days |= static_cast<uint8_t>(1u << (it - std::begin(kDays)));
    }
  }
  for (auto [key, out] : {std::pair{"from", &w.from_minute}, std::pair{"to", &w.to_minute}}) {
    auto v = t.str(key);
    if (!v) continue;
    if (auto m = minutes(*v); m && !(out == &w.from_minute && *m == 24 * 60)) *out = *m;
    else { t.error(key, "expected HH:MM (24-hour), got '" + *v + "'"); ok = false; }
  }
  auto zone = t.str("zone").value_or("local");
  if (zone != "local" && zone != "utc") { t.error("zone", "expected local or utc"); ok = false; }
  w.utc = zone == "utc";
  if (w.from_minute == w.to_minute) { t.error("to", "equals from: the window would be empty"); ok = false; }
  return ok ? std::optional(w) : std::nullopt;
}

class RuleReader {
 public:
  RuleReader(const Authorization& a) : auth_(a) {}

  // Reads the criteria of one mapping (an implicit `all`); false when it holds none.
  Condition condition(Reader& r) {
    Condition all;
    all.op = Condition::Op::All;
    auto leaf = [&](Criterion c) {
      c.key = r.key_path(c.key);
      Condition l;
      l.op = Condition::Op::Leaf;
      l.leaf = std::move(c);
      all.children.push_back(std::move(l));
    };
    auto list = [&](const char* key, Kind kind) {
      if (!r.has(key)) return;
      Criterion c = at(r, key, kind);
      c.values = r.strings(key);
      if (c.values.empty()) r.error(key, "is empty: it would never match");
      c.text = listed(key, c.values);
      if (kind == Kind::EmailDomains) {
        for (auto& v : c.values) v = core::to_lower(v);
      }
      leaf(std::move(c));
    };
    list("groups", Kind::Groups);
    list("roles", Kind::Roles);
    list("users", Kind::Users);
    list("tenants", Kind::Tenants);
    if (r.has("email_domains") && !auth_.allow_display_criteria) {
      r.error("email_domains", "email is a display claim a user or an admin can change: set "
                               "authorization.allow_display_criteria: true to use it");
    }
    list("email_domains", Kind::EmailDomains);
    claims(r, "claims", Kind::ClaimEquals, leaf);
    claims(r, "claims_contain", Kind::ClaimContains, leaf);
    if (r.has("auth")) {
      Criterion c = at(r, "auth", Kind::AuthMethods);
      auto names = r.strings("auth");
      if (names.empty()) r.error("auth", "is empty: it would never match");
      for (const auto& n : names) {
        if (n == "session") c.auth_methods |= kAuthSession;
        else if (n == "bearer") c.auth_methods |= kAuthBearer;
        else if (n == "client_credentials") c.auth_methods |= kAuthClientCredentials;
        else r.error("auth", "unknown method '" + n + "' (session, bearer, client_credentials)");
      }
      c.text = listed("auth", names);
      leaf(std::move(c));
    }
    if (r.has("client_cidrs")) {
      Criterion c = at(r, "client_cidrs", Kind::ClientCidrs);
      auto nets = r.strings("client_cidrs");
      if (nets.empty()) r.error("client_cidrs", "is empty: it would never match");
      for (const auto& n : nets) {
        if (auto parsed = core::Cidr::parse(n)) c.cidrs.add(*parsed);
        else r.error("client_cidrs", "'" + n + "' is not an address or CIDR network");
      }
      c.text = listed("client_cidrs", nets);
      leaf(std::move(c));
    }
    if (r.has("methods")) {
      Criterion c = at(r, "methods", Kind::Methods);
      c.values = r.strings("methods");
      if (c.values.empty()) r.error("methods", "is empty: it would never match");
      for (const auto& m : c.values) {
        if (!core::known_method(m)) r.error("methods", "unknown method '" + m + "'");
        c.methods |= core::method_bit(m);
      }
      c.text = listed("methods", c.values);
      leaf(std::move(c));
    }
    if (r.has("paths")) {
      Criterion c = at(r, "paths", Kind::Paths);
      c.values = r.strings("paths");
      if (c.values.empty()) r.error("paths", "is empty: it would never match");
      for (const auto& p : c.values) {
        auto pattern = core::PathPattern::compile(p);
        if (pattern) c.paths.push_back(std::move(*pattern));
        else r.error("paths", "'" + p + "' " + pattern.error());
      }
      c.text = listed("paths", c.values);
      leaf(std::move(c));
    }
    mapping(r, "time", [&](Reader& t) {
      if (auto w = read_time(t)) {
        Criterion c = at(r, "time", Kind::Time);
        c.time = *w;
        c.text = "time";
        leaf(std::move(c));
      }
    });
    if (r.boolean("authenticated").value_or(false)) {
      Criterion c = at(r, "authenticated", Kind::Authenticated);
      c.text = "authenticated";
      leaf(std::move(c));
    }
    for (const char* op : {"all", "any"}) {
      if (!r.has(op)) continue;
      Condition group;
      group.op = std::string_view(op) == "all" ? Condition::Op::All : Condition::Op::Any;
      r.each(op, [&](Reader& sub) { group.children.push_back(nested(sub)); });
      if (group.children.empty()) r.error(op, "needs at least one condition");
      all.children.push_back(std::move(group));
    }
    mapping(r, "not", [&](Reader& sub) {
      Condition n;
      n.op = Condition::Op::Not;
      n.children.push_back(nested(sub));
      all.children.push_back(std::move(n));
    });
    return all;
  }

 private:
  static Criterion at(Reader& r, const std::string& key, Kind kind) {
    Criterion c;
    c.kind = kind;
    c.key = key;
    c.line = r.key_line(key);
    return c;
  }

  // A mapping criterion written with nothing under it would silently vanish from the rule.
  static void mapping(Reader& r, const char* key, const std::function<void(Reader&)>& fn) {
    if (r.has(key) && !r.child(key, fn)) r.error(key, "is empty: write its criteria or remove it");
  }

  Condition nested(Reader& r) {
    Condition c = condition(r);
    if (c.children.empty()) r.error("", "holds no criterion");
    return c;
  }

  template <class Leaf>
  void claims(Reader& r, const char* key, Kind kind, Leaf& leaf) {
    mapping(r, key, [&](Reader& m) {
      if (m.keys().empty()) r.error(key, "is empty: write its criteria or remove it");
      for (const auto& name : m.keys()) {
        Criterion c = at(r, key, kind);
        c.claim = name;
        c.values = m.strings(name);
        if (c.values.empty()) m.error(name, "is empty: it would never match");
        c.text = std::string(key) + "." + listed(name, c.values);
        leaf(std::move(c));
      }
    });
  }

  const Authorization& auth_;
};

void read_rule(Reader& r, const Authorization& a, Policy& p, size_t index) {
  Rule rule;
  rule.file = r.context().file;
  rule.line = r.line();
  rule.name = r.str("name").value_or(p.name + "[" + std::to_string(index) + "]");
  for (const auto& other : p.rules) {
    // Names are the decision's reason in logs and metrics: two rules must not share one.
    if (other.name == rule.name) r.error("name", "another rule of policy '" + p.name + "' is named '" + rule.name + "'");
  }
  bool allow = r.has("allow");
  bool deny = r.has("deny");
  if (allow == deny) {
    r.error("", "needs exactly one of allow, deny");
    r.skip("deny");
  }
  rule.allow = allow;
  RuleReader reader(a);
  r.child(allow ? "allow" : "deny", [&](Reader& c) { rule.when = reader.condition(c); });
  if ((allow || deny) && rule.when.children.empty()) {
    r.error(allow ? "allow" : "deny", "holds no criterion (write `authenticated: true` to match every caller)");
  }
  rule.break_glass = r.boolean("break_glass").value_or(false);
  if (rule.break_glass && !allow) r.error("break_glass", "applies to allow rules only");
  if (auto audit = r.str("audit")) {
    if (*audit != "patient") r.error("audit", "expected patient, got '" + *audit + "'");
    // The mark covers what a rule allows; what a deny rule refuses is recorded through the
    // policy's patient_data paths (or the route's audit: patient), never silently not at all.
    else if (!allow) r.error("audit", "marks what an allow rule lets through; list refused paths in the policy's patient_data");
    else rule.audit_patient = true;
  }
  p.rules.push_back(std::move(rule));
}

void read_groups(Reader& r, Authorization& a) {
  r.child("groups", [&](Reader& g) {
    for (const auto& alias : g.keys()) {
      auto id = g.str(alias).value_or("");
      if (!is_guid(id)) {
        g.error(alias, "expected a group object id (a GUID), got '" + id + "'");
        continue;
      }
      auto [it, inserted] = a.groups.emplace(alias, core::to_lower(id));
      if (!inserted && it->second != core::to_lower(id)) {
        g.error(alias, "is already defined as " + it->second);
      }
    }
  });
}

void resolve(Condition& c, const Authorization& a, Errors& errors, const Rule& r) {
  for (auto& child : c.children) resolve(child, a, errors, r);
  if (c.op != Condition::Op::Leaf || c.leaf.kind != Kind::Groups) return;
  for (auto& v : c.leaf.values) {
    if (is_guid(v)) {
      v = core::to_lower(v);
      continue;
    }
    auto it = a.groups.find(v);
    if (it == a.groups.end()) {
      errors.push_back({r.file, c.leaf.line, c.leaf.key,
                        "group '" + v + "' is neither an object id nor an alias defined under groups:"});
      continue;
    }
    v = it->second;
  }
}

void collect_claims(const Condition& c, std::vector<std::string>& out) {
  for (const auto& child : c.children) collect_claims(child, out);
  if (c.op == Condition::Op::Leaf && (c.leaf.kind == Kind::ClaimEquals || c.leaf.kind == Kind::ClaimContains)) {
    out.push_back(c.leaf.claim);
  }
}

void sort_values(Condition& c) {
  for (auto& child : c.children) sort_values(child);
  // Entra writes object ids in lower case; an upper-case id in a policy must still match.
  if (c.op == Condition::Op::Leaf && (c.leaf.kind == Kind::Users || c.leaf.kind == Kind::Tenants)) {
    for (auto& v : c.leaf.values) v = core::to_lower(v);
  }
  if (c.op == Condition::Op::Leaf && c.leaf.kind != Kind::Paths && c.leaf.kind != Kind::Methods) sorted(c.leaf.values);
}

}  // namespace

bool Policy::marks_patient_data() const {
  return !patient_data.empty() || std::any_of(rules.begin(), rules.end(), [](const Rule& r) { return r.audit_patient; });
}

const Policy* Authorization::find(std::string_view name) const {
  for (const auto& p : policies) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

void add_builtin_policies(Authorization& a) {
  Policy p;
  p.name = std::string(kAuthenticatedPolicy);
  p.description = "any authenticated caller (built in)";
  p.file = "(built in)";
  Rule r;
  r.name = "authenticated";
  r.allow = true;
  r.file = p.file;
  Condition leaf;
  leaf.op = Condition::Op::Leaf;
  leaf.leaf.kind = Kind::Authenticated;
  leaf.leaf.text = "authenticated";
  r.when.children.push_back(std::move(leaf));
  p.rules.push_back(std::move(r));
  a.policies.insert(a.policies.begin(), std::move(p));
}

void read_patient_data(Reader& r, Policy& p) {
  if (!r.has("patient_data")) return;
  auto texts = r.strings("patient_data");
  if (texts.empty()) r.error("patient_data", "is empty: list the paths of patient data, or remove the key");
  for (const auto& t : texts) {
    auto pattern = core::PathPattern::compile(t);
    if (pattern) p.patient_data.push_back(std::move(*pattern));
    else r.error("patient_data", "'" + t + "' " + pattern.error());
  }
}

void load_policy_text(const std::string& text, const std::string& file, Authorization& a, Errors& errors) {
  LoadContext ctx{file, {}};
  try {
    YAML::Node root = YAML::Load(text);
    if (!root.IsMap()) {
      errors.push_back({file, 0, "", "expected a mapping with groups and policies"});
      return;
    }
    Reader r(root, "", ctx);
    read_groups(r, a);
    r.child("policies", [&](Reader& m) {
      for (const auto& name : m.keys()) {
        Policy p;
        p.name = name;
        p.file = file;
        if (a.find(name)) m.error(name, "policy '" + name + "' is already defined");
        bool body = m.child(name, [&](Reader& pr) {
          p.line = pr.line();
          p.description = pr.str("description").value_or("");
          size_t index = 0;
          pr.each("rules", [&](Reader& rr) { read_rule(rr, a, p, index++); }, true);
          if (pr.has("rules") && p.rules.empty()) pr.error("rules", "is empty: the policy would deny everything");
          read_patient_data(pr, p);
        });
        if (!body) m.error(name, "is empty: a policy needs rules");
        a.policies.push_back(std::move(p));
      }
    });
    r.finish();
  } catch (const YAML::Exception& e) {
    ctx.errors.push_back({file, e.mark.line >= 0 ? e.mark.line + 1 : 0, "", "syntax error: " + e.msg});
  }
  errors.insert(errors.end(), ctx.errors.begin(), ctx.errors.end());
}

void resolve_groups(Authorization& a, Errors& errors) {
  for (auto& p : a.policies) {
    for (auto& r : p.rules) {
      resolve(r.when, a, errors, r);
      sort_values(r.when);
    }
  }
}

void read_authorization(Reader& r, Config& c) {
  Authorization& a = c.authorization;
  a.allow_display_criteria = r.boolean("allow_display_criteria").value_or(false);
  a.break_glass_header = r.str("break_glass_header").value_or(a.break_glass_header);
  // The header is read as a justification and removed before the upstream: never a credential or
  // a header the request needs.
  for (const char* taken : {"authorization", "cookie", "host", "content-length", "transfer-encoding", "connection"}) {
    if (core::iequals(a.break_glass_header, taken)) r.error("break_glass_header", std::string("cannot be ") + taken);
  }
  if (a.break_glass_header.empty() || a.break_glass_header.find_first_of(" :\t\r\n") != std::string::npos) {
    r.error("break_glass_header", "is not a header name");
  }
  read_groups(r, a);
  std::filesystem::path dir = std::filesystem::path(r.context().file).parent_path();
  for (const auto& f : r.strings("policy_files")) {
    std::filesystem::path path = f;
    if (path.is_relative()) path = dir / path;
    std::ifstream in(path);
    if (!in) {
      r.error("policy_files", "cannot read " + path.string());
      continue;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    a.policy_files.push_back(path.lexically_normal().string());
    load_policy_text(ss.str(), a.policy_files.back(), a, r.context().errors);
  }
}

void check_policies(Config& c, LoadContext& ctx) {
  resolve_groups(c.authorization, ctx.errors);
  if (c.identity) {
    std::vector<std::string>& keep = c.identity->policy_claims;
    for (const auto& p : c.authorization.policies) {
      for (const auto& r : p.rules) collect_claims(r.when, keep);
    }
    sorted(keep);
  }
  for (size_t i = 0; i < c.routes.size(); ++i) {
    Route& rt = c.routes[i];
    std::string key = "routes[" + std::to_string(i) + "].policy";
    if (rt.auth == AuthMode::Public) {
      if (!rt.policy.empty()) ctx.errors.push_back({ctx.file, rt.line, key, "a public route has no policy"});
      continue;
    }
    if (rt.policy.empty()) {
      ctx.errors.push_back({ctx.file, rt.line, key,
                            "is required for a route that is not public (default deny); `policy: authenticated` "
                            "lets any signed-in caller through"});
      continue;
    }
    const Policy* p = c.authorization.find(rt.policy);
    if (!p) {
      ctx.errors.push_back({ctx.file, rt.line, key, "no policy named '" + rt.policy + "'"});
      continue;
    }
    rt.policy_index = static_cast<size_t>(p - c.authorization.policies.data());
  }
}

}  // namespace vigie::config
