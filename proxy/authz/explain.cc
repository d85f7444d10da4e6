#include "authz/explain.h"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <nlohmann/json.hpp>
#include <set>

#include "core/strings.h"

namespace vigie::authz {
namespace {

using config::Condition;
using Kind = config::Criterion::Kind;

void collect_claims(const Condition& c, std::set<std::string>& out) {
  for (const auto& child : c.children) collect_claims(child, out);
  if (c.op == Condition::Op::Leaf &&
      (c.leaf.kind == Kind::ClaimEquals || c.leaf.kind == Kind::ClaimContains)) {
    out.insert(c.leaf.claim);
  }
}

Place place_of(const config::Rule& r) {
  return {r.name, r.file, r.line};
}

std::optional<int> digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return std::nullopt;
  int v = 0;
  auto [end, ec] = std::from_chars(s.data() + pos, s.data() + pos + n, v);
  if (ec != std::errc{} || end != s.data() + pos + n) return std::nullopt;
  return v;
}

std::string label(Outcome o) {
  switch (o) {
    case Outcome::Allow:
      return "ALLOW";
    case Outcome::Deny:
      return "DENY";
    case Outcome::JustificationRequired:
      return "JUSTIFICATION REQUIRED";
    case Outcome::Public:
      return "PUBLIC";
    case Outcome::Endpoint:
      return "VIGIE ENDPOINT";
    case Outcome::NoRoute:
      return "NOT FOUND";
    case Outcome::BadRequest:
      return "BAD REQUEST";
    case Outcome::Unauthenticated:
      return "UNAUTHENTICATED";
    case Outcome::InsufficientScope:
      return "INSUFFICIENT SCOPE";
  }
  return "?";
}

std::string or_none(const std::vector<std::string>& v) {
  return v.empty() ? "(none)" : core::join(v, ", ");
}

std::string effect(const RuleLine& r) {
  if (!r.allow) return "deny ";
  return r.break_glass ? "allow (break glass)" : "allow";
}

std::string flags(bool audit_patient, bool break_glass) {
  std::vector<std::string> f;
  if (audit_patient) f.emplace_back("audit: patient");
  if (break_glass) f.emplace_back("break glass");
  return core::join(f, ", ");
}

nlohmann::json place_json(const Place& p) {
  nlohmann::json j = {{"name", p.name}, {"file", p.file}};
  j["line"] = p.line;
  return j;
}

}  // namespace

Subject Caller::subject() const {
  return {method, oid, tid, email, &groups, &roles, &claims};
}

uint8_t auth_method_bit(std::string_view name) {
  if (name == "session") return config::kAuthSession;
  if (name == "bearer") return config::kAuthBearer;
  if (name == "client_credentials") return config::kAuthClientCredentials;
  return 0;
}

std::string_view auth_method_name(uint8_t bit) {
  switch (bit) {
    case config::kAuthSession:
      return "session";
    case config::kAuthBearer:
      return "bearer";
    case config::kAuthClientCredentials:
      return "client_credentials";
    default:
      return "";
  }
}

std::optional<std::chrono::system_clock::time_point> parse_time(std::string_view s) {
  // 2026-12-04T10:00:00Z (20) or 2026-12-04T10:00:00+01:00 (25); 't' and 'z' as RFC 3339 allows.
  if (s.size() != 20 && s.size() != 25) return std::nullopt;
  if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
    return std::nullopt;
  auto y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2);
  auto h = digits(s, 11, 2), mi = digits(s, 14, 2), sec = digits(s, 17, 2);
  if (!y || !mo || !d || !h || !mi || !sec) return std::nullopt;
  int offset = 0;
  if (s.size() == 20) {
    if (s[19] != 'Z' && s[19] != 'z') return std::nullopt;
  } else {
    auto oh = digits(s, 20, 2), om = digits(s, 23, 2);
    if ((s[19] != '+' && s[19] != '-') || s[22] != ':' || !oh || !om || *oh > 23 || *om > 59)
      return std::nullopt;
    offset = (*oh * 60 + *om) * (s[19] == '-' ? -1 : 1);
  }
  std::chrono::year_month_day ymd{std::chrono::year(*y), std::chrono::month(static_cast<unsigned>(*mo)),
                                  std::chrono::day(static_cast<unsigned>(*d))};
  if (!ymd.ok() || *h > 23 || *mi > 59 || *sec > 60) return std::nullopt;
  auto t = std::chrono::sys_days(ymd) + std::chrono::hours(*h) + std::chrono::minutes(*mi - offset) +
           std::chrono::seconds(std::min(*sec, 59));
  return std::chrono::time_point_cast<std::chrono::system_clock::duration>(t);
}

std::string format_time(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::vector<std::string> policy_claim_names(const config::Authorization& a) {
  std::set<std::string> names;
  for (const auto& p : a.policies) {
    for (const auto& r : p.rules) collect_claims(r.when, names);
  }
  return {names.begin(), names.end()};
}

std::string Place::where() const {
  return line > 0 ? file + ":" + std::to_string(line) : file;
}

std::string_view outcome_name(Outcome o) {
  switch (o) {
    case Outcome::Allow:
      return "allow";
    case Outcome::Deny:
      return "deny";
    case Outcome::JustificationRequired:
      return "justification_required";
    case Outcome::Public:
      return "public";
    case Outcome::Endpoint:
      return "endpoint";
    case Outcome::NoRoute:
      return "no_route";
    case Outcome::BadRequest:
      return "bad_request";
    case Outcome::Unauthenticated:
      return "unauthenticated";
    case Outcome::InsufficientScope:
      return "insufficient_scope";
  }
  return "";
}

int http_status(Outcome o) {
  switch (o) {
    case Outcome::Allow:
    case Outcome::Public:
    case Outcome::Endpoint:
      return 200;
    case Outcome::Deny:
    case Outcome::JustificationRequired:
    case Outcome::InsufficientScope:
      return 403;
    case Outcome::NoRoute:
      return 404;
    case Outcome::BadRequest:
      return 400;
    case Outcome::Unauthenticated:
      return 401;
  }
  return 500;
}

int exit_status(Outcome o) {
  return http_status(o) == 200 ? 0 : 3;
}

std::string Evaluation::reason() const {
  return rule ? rule->name : "default_deny";
}

Evaluation evaluate_traced(const config::Policy& policy, const Facts& facts) {
  Trace trace;
  Decision d = evaluate(policy, facts, &trace);
  Evaluation e;
  e.outcome = d.allowed                  ? Outcome::Allow
              : d.justification_required ? Outcome::JustificationRequired
                                         : Outcome::Deny;
  if (d.rule) e.rule = place_of(*d.rule);
  e.audit_patient = d.audit_patient;
  e.break_glass = d.break_glass;
  std::vector<const config::Rule*> seen;
  for (const auto& t : trace) {
    RuleLine l{place_of(*t.rule), t.rule->allow, t.rule->break_glass, t.rule->audit_patient, true,
               t.matched,         t.failed};
    e.rules.push_back(std::move(l));
    seen.push_back(t.rule);
  }
  // A matching deny rule ends the evaluation: the allow rules after it were never looked at.
  for (const auto& r : policy.rules) {
    if (std::find(seen.begin(), seen.end(), &r) != seen.end()) continue;
    e.rules.push_back({place_of(r), r.allow, r.break_glass, r.audit_patient, false, false, {}});
  }
  return e;
}

Explanation::Who describe(const Caller& c, const config::Authorization& a, const Facts& f) {
  Explanation::Who w;
  w.user = c.user;
  w.oid = c.oid;
  w.tid = c.tid;
  w.method = std::string(auth_method_name(c.method));
  for (const auto& g : c.groups) {
    std::vector<std::string> aliases;
    for (const auto& [alias, id] : a.groups) {
      if (core::iequals(id, g)) aliases.push_back(alias);
    }
    w.groups.push_back({g, core::join(aliases, ", ")});
  }
  w.roles = c.roles;
  w.scopes = c.scopes;
  w.client = std::string(f.client);
  w.justification = std::string(f.justification);
  w.time = format_time(f.now);
  return w;
}

std::string render_rules(const std::vector<RuleLine>& rules, std::string_view indent) {
  std::string out;
  for (const auto& r : rules) {
    out += std::string(indent) + effect(r) + " " + r.rule.name + " (" + r.rule.where() + "): ";
    if (!r.evaluated)
      out += "not evaluated (a deny rule decided)";
    else if (r.matched)
      out += "MATCH";
    else
      out += "no match";
    std::string f = flags(r.audit_patient, false);
    if (!f.empty()) out += " [" + f + "]";
    out += "\n";
    for (const auto& c : r.failed) out += std::string(indent) + "    failed: " + c + "\n";
  }
  return out;
}

std::string render_text(const Explanation& e) {
  std::string out;
  auto line = [&](std::string_view head, const std::string& text) {
    std::string h(head);
    h.resize(10, ' ');
    out += h + text + "\n";
  };
  const auto& q = e.request;
  line("request", q.method + " " + q.url);
  line("", "host " + q.host + ", path " + (q.path.empty() ? "(refused)" : q.path) +
               (q.query.empty() ? "" : ", query " + q.query));
  if (e.route) {
    line("route",
         e.route->id + " (" + Place{"", e.route->file, e.route->line}.where() + "), auth " + e.route->auth);
  } else {
    line("route", "none");
  }
  if (e.policy) {
    std::string p = e.policy->place.name + " (" + e.policy->place.where() + ")";
    if (!e.policy->description.empty()) p += ": " + e.policy->description;
    line("policy", p);
  } else if (e.route) {
    line("policy", "none (public route)");
  }
  if (e.caller) {
    const auto& c = *e.caller;
    line("caller", c.user + " (" + c.method + ")");
    line("", "oid " + (c.oid.empty() ? "(none)" : c.oid) + ", tid " + (c.tid.empty() ? "(none)" : c.tid));
    std::vector<std::string> groups;
    for (const auto& g : c.groups) groups.push_back(g.alias.empty() ? g.id : g.alias + " (" + g.id + ")");
    line("", "groups " + or_none(groups));
    line("", "roles " + or_none(c.roles));
    if (!c.scopes.empty()) line("", "scopes " + or_none(c.scopes));
    line("", "client " + c.client + ", time " + c.time +
                 (c.justification.empty() ? "" : ", justification \"" + c.justification + "\""));
  }
  line("decision", label(e.outcome) + " (" + std::to_string(http_status(e.outcome)) + ")");
  if (e.evaluation) {
    const Evaluation& v = *e.evaluation;
    if (v.rule)
      line("", "rule " + v.rule->name + " (" + v.rule->where() + ")");
    else
      line("", "rule none: no allow rule matched (default deny)");
    std::string f = flags(v.audit_patient, v.break_glass);
    if (!f.empty()) line("", f);
  }
  if (!e.note.empty()) line("", e.note);
  if (e.evaluation) {
    out += "rules, in evaluation order:\n";
    out += render_rules(e.evaluation->rules, "  ");
  }
  return out;
}

std::string render_json(const Explanation& e) {
  using nlohmann::json;
  json j;
  j["request"] = {{"method", e.request.method},
                  {"url", e.request.url},
                  {"host", e.request.host},
                  {"path", e.request.path},
                  {"query", e.request.query}};
  j["route"] = nullptr;
  if (e.route) {
    j["route"] = {
        {"id", e.route->id}, {"file", e.route->file}, {"line", e.route->line}, {"auth", e.route->auth}};
  }
  j["policy"] = nullptr;
  if (e.policy) {
    j["policy"] = place_json(e.policy->place);
    j["policy"]["description"] = e.policy->description;
  }
  j["caller"] = nullptr;
  if (e.caller) {
    const auto& c = *e.caller;
    json groups = json::array();
    for (const auto& g : c.groups) {
      groups.push_back({{"id", g.id}, {"alias", g.alias.empty() ? json(nullptr) : json(g.alias)}});
    }
    j["caller"] = {{"user", c.user},     {"oid", c.oid},       {"tid", c.tid},
                   {"method", c.method}, {"groups", groups},   {"roles", c.roles},
                   {"scopes", c.scopes}, {"client", c.client}, {"justification", c.justification},
                   {"time", c.time}};
  }
  j["decision"] = outcome_name(e.outcome);
  j["status"] = http_status(e.outcome);
  j["note"] = e.note;
  j["rule"] = nullptr;
  j["audit"] = nullptr;
  j["break_glass"] = false;
  j["rules"] = json::array();
  if (e.evaluation) {
    const Evaluation& v = *e.evaluation;
    if (v.rule) j["rule"] = place_json(*v.rule);
    if (v.audit_patient) j["audit"] = "patient";
    j["break_glass"] = v.break_glass;
    for (const auto& r : v.rules) {
      json rule = place_json(r.rule);
      rule["effect"] = r.allow ? "allow" : "deny";
      rule["break_glass"] = r.break_glass;
      rule["audit"] = r.audit_patient ? json("patient") : json(nullptr);
      rule["evaluated"] = r.evaluated;
      rule["matched"] = r.matched;
      rule["failed"] = r.failed;
      j["rules"].push_back(std::move(rule));
    }
  }
  // Claims and YAML may hold invalid UTF-8: replaced, so the output is always JSON.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace vigie::authz
