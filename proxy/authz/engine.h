// Evaluates a compiled policy (config::Policy) for one request: deny rules first (deny wins), then
// allow rules in order, then break-glass allow rules; no matching allow is a deny. The Decision names
// the rule that decided, for the access log, the metrics and the audit record; a Trace records every
// rule and every criterion that failed, for `vigie explain` and `vigie policy test`. Pure functions
// over immutable data: any thread; no allocation unless tracing, except to read the client address
// for a client_cidrs criterion.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/policy.h"

namespace vigie::authz {

// The caller, as policies see it. Views: the identity they point into outlives the evaluation.
struct Subject {
  uint8_t method = 0;  // one of config::AuthMethodBit
  std::string_view oid;
  std::string_view tid;
  std::string_view email;
  const std::vector<std::string>* groups = nullptr;  // sorted
  const std::vector<std::string>* roles = nullptr;   // sorted
  // Claims kept for policies (authorization.claims), by name.
  const std::vector<std::pair<std::string, std::vector<std::string>>>* claims = nullptr;
};

struct Facts {
  Subject subject;
  uint32_t method = 0;               // core::method_bit of the request method
  std::string_view path;             // normalised, no query
  std::string_view client;           // the client address (text), as the access log shows it
  std::string_view justification;    // break-glass justification; empty: none given
  std::chrono::system_clock::time_point now;
};

struct Decision {
  bool allowed = false;
  const config::Rule* rule = nullptr;   // the rule that decided; null: no rule allowed (default deny)
  bool break_glass = false;             // allowed by a break-glass rule, with a justification
  bool justification_required = false;  // denied, but a break-glass rule would allow with a justification
  bool audit_patient = false;           // the allowing rule marks patient data
  // For logs and metrics: the deciding rule's name, "default_deny" or "justification_required".
  [[nodiscard]] std::string_view reason() const;
};

struct RuleTrace {
  const config::Rule* rule = nullptr;
  bool matched = false;
  std::vector<std::string> failed;  // the criteria that did not hold ("groups: [clinicians]")
};
using Trace = std::vector<RuleTrace>;

[[nodiscard]] Decision evaluate(const config::Policy& policy, const Facts& facts, Trace* trace = nullptr);

// A break-glass justification is usable when it says something: at least this many characters.
inline constexpr size_t kMinJustification = 10;

}  // namespace vigie::authz
