#include "authz/policy_test.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "config/policy_loader.h"
#include "config/reader.h"
#include "core/http_method.h"
#include "core/strings.h"

namespace vigie::authz {
namespace {

namespace fs = std::filesystem;

struct Case {
  std::string name;
  int line = 0;
  const config::Policy* policy = nullptr;
  nlohmann::json claims;
  uint8_t auth = config::kAuthSession;
  std::string request;
  std::string method;
  std::string path;
  std::string client = "127.0.0.1";
  std::string justification;
  std::optional<std::chrono::system_clock::time_point> time;
  Outcome expect = Outcome::Deny;
  std::string expect_text;
  std::optional<std::string> rule;
  std::optional<bool> audit_patient;
};

bool is_guid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (dash ? c != '-' : !hex) return false;
  }
  return true;
}

int line_of(const YAML::Node& n) {
  return n.Mark().line >= 0 ? n.Mark().line + 1 : 0;
}

// Token claims are JSON; YAML gives text. A plain (unquoted) scalar that reads as a number, a boolean
// or null becomes one, as it would be in the token; a quoted one stays a string.
nlohmann::json to_json(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Sequence: {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& v : n) a.push_back(to_json(v));
      return a;
    }
    case YAML::NodeType::Map: {
      nlohmann::json o = nlohmann::json::object();
      for (const auto& kv : n) o[kv.first.Scalar()] = to_json(kv.second);
      return o;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = n.Scalar();
      if (n.Tag() != "?") return s;
      if (s == "true") return true;
      if (s == "false") return false;
      if (s == "null" || s == "~") return nullptr;
      int64_t v = 0;
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec == std::errc{} && end == s.data() + s.size()) return v;
      return s;
    }
    default:
      return nullptr;
  }
}

std::optional<std::string> read_file(const fs::path& p) {
  std::ifstream in(p);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "cases[3]" -> 3.
size_t index_of(const std::string& path) {
  size_t open = path.rfind('[');
  size_t i = 0;
  if (open != std::string::npos) std::from_chars(path.data() + open + 1, path.data() + path.size(), i);
  return i;
}

class CaseReader {
 public:
  CaseReader(const config::Authorization& a, const YAML::Node& cases, const TestHooks& hooks)
      : auth_(a), cases_(cases), hooks_(hooks) {}

  Case read(config::Reader& r) {
    Case c;
    c.line = r.line();
    c.name = r.str("name", true).value_or("");
    if (auto p = r.str("policy", true)) {
      c.policy = auth_.find(*p);
      if (!c.policy) r.error("policy", "no policy named '" + *p + "' in the policy files");
    }
    claims(r, c);
    if (auto a = r.str("auth")) {
      c.auth = auth_method_bit(*a);
      if (!c.auth) r.error("auth", "expected session, bearer or client_credentials, got '" + *a + "'");
    }
    if (auto q = r.str("request", true)) request(r, *q, c);
    if (auto v = r.str("client")) {
      boost::system::error_code ec;
      (void)boost::asio::ip::make_address(*v, ec);
      if (ec) r.error("client", "not an IP address: '" + *v + "'");
      c.client = *v;
    }
    c.justification = r.str("justification").value_or("");
    if (auto t = r.str("time")) {
      c.time = parse_time(*t);
      if (!c.time) r.error("time", "expected a time such as 2026-12-04T10:00:00Z, got '" + *t + "'");
    }
    if (auto e = r.str("expect", true)) {
      c.expect_text = *e;
      if (*e == "allow")
        c.expect = Outcome::Allow;
      else if (*e == "deny")
        c.expect = Outcome::Deny;
      else if (*e == "justification_required")
        c.expect = Outcome::JustificationRequired;
      else
        r.error("expect", "expected allow, deny or justification_required, got '" + *e + "'");
    }
    if (auto rule = r.str("rule")) {
      bool known = *rule == "default_deny";
      if (c.policy) {
        for (const auto& x : c.policy->rules) known = known || x.name == *rule;
      }
      // A misspelt rule name would fail forever for a reason nobody sees in the trace.
      if (c.policy && !known) {
        r.error("rule",
                "policy '" + c.policy->name + "' has no rule named '" + *rule + "' (or write default_deny)");
      }
      c.rule = *rule;
    }
    if (auto audit = r.str("audit")) {
      if (*audit == "patient")
        c.audit_patient = true;
      else if (*audit == "none")
        c.audit_patient = false;
      else
        r.error("audit", "expected patient or none, got '" + *audit + "'");
    }
    return c;
  }

 private:
  void claims(config::Reader& r, Case& c) {
    r.skip("claims");
    const YAML::Node node = cases_[index_of(r.path())]["claims"];
    if (!node.IsDefined() || node.IsNull()) {
      r.error("claims", "is required: the caller's token claims (oid, tid, groups, roles...)");
      return;
    }
    if (!node.IsMap()) {
      r.error("claims", "expected a mapping of token claims");
      return;
    }
    c.claims = to_json(node);
    // Absent keys of a const node are "zombies" that throw unless IsDefined() is asked first.
    const YAML::Node groups = node["groups"];
    if (!groups.IsDefined() || !groups.IsSequence()) return;
    // Cases may name groups by the aliases of the policy files: the token carries object ids.
    for (size_t i = 0; i < groups.size(); ++i) {
      if (!groups[i].IsScalar()) continue;
      const std::string& g = groups[i].Scalar();
      if (auto it = auth_.groups.find(g); it != auth_.groups.end()) {
        c.claims["groups"][i] = it->second;
      } else if (!is_guid(g)) {
        // An unknown alias would be a group no rule names: a "deny" case would pass for nothing.
        r.context().errors.push_back(
            {r.context().file, line_of(groups[i]),
             r.key_path("claims") + ".groups[" + std::to_string(i) + "]",
             "group '" + g + "' is neither an object id nor an alias defined under groups:"});
      }
    }
  }

  void request(config::Reader& r, const std::string& text, Case& c) {
    c.request = text;
    std::string_view s = core::trim(text);
    size_t space = s.find(' ');
    std::string_view method = s.substr(0, space);
    std::string_view target =
        space == std::string_view::npos ? std::string_view{} : core::trim(s.substr(space));
    bool token = !method.empty() &&
                 std::all_of(method.begin(), method.end(), [](char x) { return x >= 'A' && x <= 'Z'; });
    if (!token || !target.starts_with("/") || target.find(' ') != std::string_view::npos) {
      r.error("request", "expected METHOD /path[?query], got '" + text + "'");
      return;
    }
    c.method = std::string(method);
    auto path = hooks_.normalise(target);
    if (!path) {
      r.error("request", "the proxy refuses this path with 400 (" + path.error() + ")");
      return;
    }
    c.path = std::move(*path);
  }

  const config::Authorization& auth_;
  const YAML::Node& cases_;
  const TestHooks& hooks_;
};

CaseResult run_case(const Case& c, const std::string& file, const TestHooks& hooks,
                    const std::vector<std::string>& kept) {
  CaseResult out;
  out.name = c.name;
  out.file = file;
  out.line = c.line;
  out.policy = c.policy->name;
  out.request = c.request;
  out.expected = c.expect_text;
  Caller caller = hooks.caller(c.claims, c.auth, kept);
  Facts f;
  f.subject = caller.subject();
  f.method = core::method_bit(c.method);
  f.path = c.path;
  f.client = c.client;
  f.justification = c.justification;
  f.now = c.time.value_or(hooks.now);
  out.evaluation = evaluate_traced(*c.policy, f);
  const Evaluation& e = out.evaluation;
  if (e.outcome != c.expect) {
    out.mismatches.push_back("expected " + c.expect_text + ", got " + std::string(outcome_name(e.outcome)));
  }
  if (c.rule && *c.rule != e.reason()) {
    out.mismatches.push_back("expected rule " + *c.rule + ", got " + e.reason());
  }
  if (c.audit_patient && *c.audit_patient != e.audit_patient) {
    out.mismatches.push_back(std::string("expected audit: ") + (*c.audit_patient ? "patient" : "none") +
                             ", got " + (e.audit_patient ? "patient" : "none"));
  }
  out.passed = out.mismatches.empty();
  return out;
}

}  // namespace

FileResult run_policy_tests_text(const std::string& text, const std::string& path, const TestHooks& hooks) {
  FileResult out;
  out.file = path;
  config::LoadContext ctx{path, {}};
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    out.errors.push_back({path, e.mark.line >= 0 ? e.mark.line + 1 : 0, "", "syntax error: " + e.msg});
    return out;
  }
  if (!root.IsMap()) {
    out.errors.push_back({path, 0, "", "expected a mapping with policy_files and cases"});
    return out;
  }
  config::Reader r(root, "", ctx);
  config::Authorization a;
  a.allow_display_criteria = r.boolean("allow_display_criteria").value_or(false);
  config::add_builtin_policies(a);
  // Aliases the config's own authorization.groups defines, for policy files that rely on them.
  r.child("groups", [&](config::Reader& g) {
    for (const auto& alias : g.keys()) {
      auto id = g.str(alias).value_or("");
      if (!is_guid(id))
        g.error(alias, "expected a group object id (a GUID), got '" + id + "'");
      else
        a.groups.emplace(alias, core::to_lower(id));
    }
  });
  auto files = r.strings("policy_files");
  if (files.empty()) r.error("policy_files", "is required: the policy files the cases run against");
  fs::path dir = fs::path(path).parent_path();
  for (const auto& f : files) {
    fs::path p = f;
    if (p.is_relative()) p = dir / p;
    p = p.lexically_normal();
    auto policy_text = read_file(p);
    if (!policy_text) {
      r.error("policy_files", "cannot read " + p.string());
      continue;
    }
    config::load_policy_text(*policy_text, p.string(), a, ctx.errors);
  }
  config::resolve_groups(a, ctx.errors);
  const YAML::Node& const_root = root;
  const YAML::Node case_nodes = const_root["cases"];
  CaseReader reader(a, case_nodes, hooks);
  std::vector<Case> cases;
  r.each(
      "cases", [&](config::Reader& c) { cases.push_back(reader.read(c)); }, true);
  if (case_nodes.IsDefined() && case_nodes.IsSequence() && case_nodes.size() == 0)
    r.error("cases", "is empty: write at least one case");
  r.finish();
  out.errors = std::move(ctx.errors);
  // A file with mistakes runs nothing: a half-read case could pass for the wrong reason.
  if (!out.errors.empty()) return out;
  auto kept = policy_claim_names(a);
  for (const auto& c : cases) out.cases.push_back(run_case(c, path, hooks, kept));
  return out;
}

FileResult run_policy_tests(const std::string& path, const TestHooks& hooks) {
  auto text = read_file(path);
  if (!text) {
    FileResult out;
    out.file = path;
    out.errors.push_back({path, 0, "", "cannot open the file"});
    return out;
  }
  return run_policy_tests_text(*text, path, hooks);
}

TestSummary summarise(const std::vector<FileResult>& results) {
  TestSummary s;
  for (const auto& f : results) {
    s.errors += f.errors.size();
    s.cases += f.cases.size();
    for (const auto& c : f.cases) s.failed += c.passed ? 0 : 1;
  }
  return s;
}

std::string render_failure(const CaseResult& c) {
  std::string out = "FAIL " + c.file + ":" + std::to_string(c.line) + ": " + c.name + "\n";
  out += "  policy " + c.policy + ", request " + c.request + "\n";
  for (const auto& m : c.mismatches) out += "  " + m + "\n";
  const Evaluation& e = c.evaluation;
  std::string decided =
      e.rule ? "rule " + e.rule->name + " (" + e.rule->where() + ")" : "no allow rule matched (default deny)";
  out += "  decision " + std::string(outcome_name(e.outcome)) + ", " + decided;
  if (e.audit_patient) out += ", audit: patient";
  if (e.break_glass) out += ", break glass";
  out += "\n  rules, in evaluation order:\n" + render_rules(e.rules, "    ");
  return out;
}

std::string render_report(const std::vector<FileResult>& results) {
  std::string out;
  for (const auto& f : results) {
    for (const auto& e : f.errors) out += e.to_string() + "\n";
    for (const auto& c : f.cases) {
      if (!c.passed) out += render_failure(c);
    }
  }
  TestSummary s = summarise(results);
  if (s.errors) out += std::to_string(s.errors) + " error(s) in the test files: their cases did not run\n";
  out += std::to_string(s.cases) + " cases, " + std::to_string(s.failed) + " failed\n";
  return out;
}

}  // namespace vigie::authz
