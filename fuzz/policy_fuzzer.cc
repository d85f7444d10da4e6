// Fuzz target: policy files. Arbitrary bytes read as a policy file must produce errors, never a crash;
// whatever loads is then evaluated on fixed requests (with and without a trace, which must agree) and
// its path patterns are matched against fixed paths.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "authz/engine.h"
#include "config/policy_loader.h"
#include "core/http_method.h"
#include "core/path_pattern.h"

namespace {

using namespace vigie;

constexpr std::string_view kPaths[] = {"/",
                                       "/openmrs/ws/rest/v1/patient/abc",
                                       "/openmrs/ws/rest/v1/patient;x=1/abc",
                                       "/a/b/",
                                       "/files/report.json",
                                       "/x/y/z/w"};

void match_paths(const config::Condition& c) {
  for (const auto& child : c.children) match_paths(child);
  for (const auto& pattern : c.leaf.paths) {
    for (auto path : kPaths) (void)pattern.matches(path);
  }
}

bool same(const authz::Decision& a, const authz::Decision& b) {
  return a.allowed == b.allowed && a.rule == b.rule && a.break_glass == b.break_glass &&
         a.justification_required == b.justification_required && a.audit_patient == b.audit_patient;
}

void check(const config::Policy& policy, const authz::Facts& facts) {
  authz::Decision d = authz::evaluate(policy, facts);
  authz::Trace trace;
  // The trace explains the decision; it must never change it.
  if (!same(d, authz::evaluate(policy, facts, &trace))) __builtin_trap();
  if (d.allowed && (!d.rule || !d.rule->allow)) __builtin_trap();
  if (d.break_glass && (!d.allowed || !d.rule->break_glass)) __builtin_trap();
  if (d.justification_required && (d.allowed || !d.rule || !d.rule->break_glass)) __builtin_trap();
  (void)d.reason();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);

  config::Authorization a;
  a.allow_display_criteria = true;  // email_domains reach the engine too
  config::add_builtin_policies(a);
  a.groups.emplace("clinicians", "11111111-1111-1111-1111-111111111111");  // as if from the config
  config::Errors errors;
  config::load_policy_text(text, "fuzz.yaml", a, errors);
  config::resolve_groups(a, errors);
  for (const auto& e : errors) {
    if (e.message.empty()) __builtin_trap();  // a failure must say why
  }

  static const std::vector<std::string> groups{"11111111-1111-1111-1111-111111111111", "clinicians"};
  static const std::vector<std::string> roles{"Admin", "BreakGlass"};
  static const std::vector<std::pair<std::string, std::vector<std::string>>> claims{
      {"department", {"audiology"}}, {"wids", {"w-admin", "w-other"}}};
  const auto monday_noon = std::chrono::sys_days{std::chrono::year{2024} / 1 / 1} + std::chrono::hours{12};

  authz::Facts user;
  user.subject = {config::kAuthSession, "o1", "t1", "alice@Clinic.example", &groups, &roles, &claims};
  user.method = core::method_bit("GET");
  user.path = kPaths[2];
  user.client = "10.0.0.5";
  user.now = monday_noon;

  authz::Facts anonymous;  // no identity, an extension method, IPv6, a justification, late at night
  anonymous.method = core::method_bit("PROPFIND");
  anonymous.path = kPaths[0];
  anonymous.client = "fd00::1";
  anonymous.justification = "patient unconscious in ER";
  anonymous.now = monday_noon + std::chrono::hours{11} + std::chrono::minutes{30};

  // Evaluated even when the file had errors: the engine must not trust the loader to have refused it.
  for (const auto& policy : a.policies) {
    for (const auto& rule : policy.rules) match_paths(rule.when);
    check(policy, user);
    check(policy, anonymous);
  }

  // The same bytes as a single pattern.
  if (auto pattern = core::PathPattern::compile(text)) {
    for (auto path : kPaths) (void)pattern->matches(path);
    (void)pattern->matches(text);
  }
  return 0;
}
