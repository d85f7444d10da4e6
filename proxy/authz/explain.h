// Explains an authorization decision to the people who write policies: the request, the route, the
// policy, the caller, the decision with its rule and flags, and every rule in evaluation order with
// the criteria that failed. Built by `vigie explain` and `vigie policy test` (proxy/cli does the
// parts that need authn and http: claims to caller, path normalisation, route matching). Plain data
// owning its strings, rendered as text or JSON. CLI thread only; never on the request path.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "authz/engine.h"
#include "config/policy.h"

namespace vigie::authz {

// The caller, owning what a Subject views: built by the CLI exactly as the proxy builds an Identity.
struct Caller {
  uint8_t method = config::kAuthSession;
  std::string user;  // what X-Forwarded-User would carry
  std::string oid;
  std::string tid;
  std::string email;
  std::vector<std::string> groups;  // sorted
  std::vector<std::string> roles;   // sorted
  std::vector<std::string> scopes;
  std::vector<std::pair<std::string, std::vector<std::string>>> claims;
  [[nodiscard]] Subject subject() const;  // views into this Caller
};

// "session", "bearer", "client_credentials" and back; 0 / "" when unknown.
[[nodiscard]] uint8_t auth_method_bit(std::string_view name);
[[nodiscard]] std::string_view auth_method_name(uint8_t bit);

// RFC 3339 with seconds, in UTC or with an offset: "2026-12-04T10:00:00Z", "2026-12-04T11:00:00+01:00".
[[nodiscard]] std::optional<std::chrono::system_clock::time_point> parse_time(std::string_view text);
[[nodiscard]] std::string format_time(std::chrono::system_clock::time_point t);  // "2026-12-04T10:00:00Z"

// The names of the claims the policies test (claims: / claims_contain:), sorted: the only claims the
// proxy keeps for policies.
[[nodiscard]] std::vector<std::string> policy_claim_names(const config::Authorization& a);

// Where a rule or a policy is written.
struct Place {
  std::string name;
  std::string file;
  int line = 0;
  [[nodiscard]] std::string where() const;  // "file:line", "file" when the line is unknown
};

struct RuleLine {
  Place rule;
  bool allow = false;
  bool break_glass = false;
  bool audit_patient = false;
  bool evaluated = false;  // false: a deny rule had already decided
  bool matched = false;
  std::vector<std::string> failed;  // the criteria that did not hold, as written
};

enum class Outcome {
  Allow,                  // the policy allows
  Deny,                   // the policy denies (a deny rule, or no allow rule: default deny)
  JustificationRequired,  // only a break-glass rule would allow, and no usable justification was given
  Public,                 // a public route: no caller, no policy
  Endpoint,               // one of Vigie's own endpoints (login, JWKS): served before routing
  NoRoute,                // 404
  BadRequest,             // the proxy refuses the path before routing (400)
  Unauthenticated,        // the route does not accept this kind of caller (401 or the login)
  InsufficientScope,      // a bearer route's required role or scope is missing (403)
};
[[nodiscard]] std::string_view outcome_name(Outcome o);  // "allow", "justification_required", ...
[[nodiscard]] int http_status(Outcome o);                // what the client would get from Vigie
// `vigie explain`'s exit status: 0 when the request goes through (allow, public, endpoint), else 3.
[[nodiscard]] int exit_status(Outcome o);

// One policy evaluated with a trace, copied out of the config (it outlives the Authorization).
struct Evaluation {
  Outcome outcome = Outcome::Deny;  // Allow, Deny or JustificationRequired
  std::optional<Place> rule;        // the deciding rule; none: default deny
  bool audit_patient = false;
  bool break_glass = false;
  std::vector<RuleLine> rules;  // in evaluation order (deny, allow, break glass); rules not reached last
  [[nodiscard]] std::string reason() const;  // rule name, "default_deny"
};

[[nodiscard]] Evaluation evaluate_traced(const config::Policy& policy, const Facts& facts);

struct Explanation {
  struct Request {
    std::string method;
    std::string url;   // as given
    std::string host;  // lower case, no port
    std::string path;  // normalised
    std::string query;
  } request;
  struct Route {
    std::string id;
    std::string file;
    int line = 0;
    std::string auth;  // public, session, bearer, session_or_bearer
  };
  std::optional<Route> route;
  struct PolicyInfo {
    Place place;
    std::string description;
  };
  std::optional<PolicyInfo> policy;
  struct Group {
    std::string id;
    std::string alias;  // "" when the config defines none; several joined with ", "
  };
  struct Who {
    std::string user;
    std::string oid;
    std::string tid;
    std::string method;
    std::vector<Group> groups;
    std::vector<std::string> roles;
    std::vector<std::string> scopes;
    std::string client;
    std::string justification;
    std::string time;
  };
  std::optional<Who> caller;
  Outcome outcome = Outcome::Deny;
  std::string note;  // why, for outcomes the policy did not decide ("no route matches", ...)
  std::optional<Evaluation> evaluation;
};

// The caller as explain shows it: groups with the aliases `a` defines for them.
[[nodiscard]] Explanation::Who describe(const Caller& c, const config::Authorization& a, const Facts& f);

[[nodiscard]] std::string render_text(const Explanation& e);
[[nodiscard]] std::string render_json(const Explanation& e);  // one JSON object, one line
// The rule list alone, each line prefixed by `indent` (for `vigie policy test` failures).
[[nodiscard]] std::string render_rules(const std::vector<RuleLine>& rules, std::string_view indent);

}  // namespace vigie::authz
