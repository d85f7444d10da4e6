#include "authz/engine.h"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <ctime>

#include "core/strings.h"

namespace vigie::authz {
namespace {

using config::Condition;
using config::Criterion;
using Kind = Criterion::Kind;

bool any_in(const std::vector<std::string>& wanted, const std::vector<std::string>* have) {
  if (!have) return false;
  for (const auto& w : wanted) {
    if (std::binary_search(have->begin(), have->end(), w)) return true;
  }
  return false;
}

bool one_of(const std::vector<std::string>& sorted_values, std::string_view v) {
  return !v.empty() && std::binary_search(sorted_values.begin(), sorted_values.end(), v, std::less<>());
}

const std::vector<std::string>* claim(const Subject& s, const std::string& name) {
  if (!s.claims) return nullptr;
  for (const auto& [n, values] : *s.claims) {
    if (n == name) return &values;
  }
  return nullptr;
}

bool email_domain(const std::vector<std::string>& domains, std::string_view email) {
  size_t at = email.rfind('@');
  if (at == std::string_view::npos) return false;
  std::string_view domain = email.substr(at + 1);
  return std::any_of(domains.begin(), domains.end(), [&](const auto& d) { return core::iequals(d, domain); });
}

bool in_window(const config::TimeWindow& w, std::chrono::system_clock::time_point now) {
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  if (w.utc) gmtime_r(&t, &tm);
  else localtime_r(&t, &tm);
  int day = (tm.tm_wday + 6) % 7;  // Monday = 0
  int minute = tm.tm_hour * 60 + tm.tm_min;
  if (w.from_minute < w.to_minute) {
    return (w.days >> day & 1) && minute >= w.from_minute && minute < w.to_minute;
  }
  // Spans midnight: the evening belongs to the listed day, the early morning to the day before.
  if (minute >= w.from_minute) return w.days >> day & 1;
  if (minute < w.to_minute) return w.days >> ((day + 6) % 7) & 1;
  return false;
}

bool client_in(const core::CidrSet& nets, std::string_view client) {
  boost::system::error_code ec;
  auto addr = boost::asio::ip::make_address(std::string(client), ec);
  return !ec && nets.contains(addr);
}

bool holds(const Criterion& c, const Facts& f) {
  const Subject& s = f.subject;
  switch (c.kind) {
    case Kind::Groups: return any_in(c.values, s.groups);
    case Kind::Roles: return any_in(c.values, s.roles);
    case Kind::Users: return one_of(c.values, s.oid);
    case Kind::Tenants: return one_of(c.values, s.tid);
    case Kind::EmailDomains: return email_domain(c.values, s.email);
    case Kind::ClaimEquals: {
      const auto* have = claim(s, c.claim);
      // A claim kept as one value compares whole; a list claim has no "equals".
      return have && have->size() == 1 && one_of(c.values, have->front());
    }
    case Kind::ClaimContains: {
      const auto* have = claim(s, c.claim);
      if (!have) return false;
      for (const auto& v : *have) {
        if (one_of(c.values, v)) return true;
      }
      return false;
    }
    case Kind::AuthMethods: return (c.auth_methods & s.method) != 0;
    case Kind::ClientCidrs: return client_in(c.cidrs, f.client);
    case Kind::Methods: return (c.methods & f.method) != 0;
    case Kind::Paths:
      return std::any_of(c.paths.begin(), c.paths.end(), [&](const auto& p) { return p.matches(f.path); });
    case Kind::Time: return in_window(c.time, f.now);
    case Kind::Authenticated: return s.method != 0;
  }
  return false;
}

// `failed`, when given, collects the leaves that did not hold (all of them: no short-circuit).
bool holds(const Condition& c, const Facts& f, std::vector<std::string>* failed) {
  switch (c.op) {
    case Condition::Op::Leaf: {
      bool ok = holds(c.leaf, f);
      if (!ok && failed) failed->push_back(c.leaf.text);
      return ok;
    }
    case Condition::Op::All: {
      bool ok = true;
      for (const auto& child : c.children) {
        ok = holds(child, f, failed) && ok;
        if (!ok && !failed) return false;
      }
      return ok;
    }
    case Condition::Op::Any: {
      std::vector<std::string> inner;
      for (const auto& child : c.children) {
        if (holds(child, f, failed ? &inner : nullptr)) return true;
      }
      if (failed) failed->push_back("any: none held (" + core::join(inner, "; ") + ")");
      return false;
    }
    case Condition::Op::Not: {
      bool ok = !holds(c.children.front(), f, nullptr);
      if (!ok && failed) failed->push_back("not: the excluded condition held");
      return ok;
    }
  }
  return false;
}

bool matches(const config::Rule& r, const Facts& f, Trace* trace) {
  if (!trace) return holds(r.when, f, nullptr);
  RuleTrace t{&r, false, {}};
  t.matched = holds(r.when, f, &t.failed);
  trace->push_back(std::move(t));
  return trace->back().matched;
}

}  // namespace

std::string_view Decision::reason() const {
  if (justification_required) return "justification_required";
  if (rule) return rule->name;
  return "default_deny";
}

Decision evaluate(const config::Policy& policy, const Facts& f, Trace* trace) {
  Decision d;
  // Deny wins over any allow, wherever it is written.
  for (const auto& r : policy.rules) {
    if (r.allow) continue;
    if (matches(r, f, trace) && !d.rule) {
      d.rule = &r;
      if (!trace) return d;
    }
  }
  if (d.rule) return d;
  const config::Rule* glass = nullptr;
  for (const auto& r : policy.rules) {
    if (!r.allow || r.break_glass) continue;
    if (matches(r, f, trace) && !d.allowed) {
      d = {true, &r, false, false, r.audit_patient};
      if (!trace) return d;
    }
  }
  // Break glass only when nothing ordinary allows: emergency access is the exception, and flagged.
  for (const auto& r : policy.rules) {
    if (!r.allow || !r.break_glass) continue;
    if (matches(r, f, trace) && !glass) glass = &r;
  }
  if (d.allowed || !glass) return d;
  if (f.justification.size() >= kMinJustification) return {true, glass, true, false, true};
  Decision need;
  need.rule = glass;
  need.justification_required = true;
  return need;
}

}  // namespace vigie::authz
