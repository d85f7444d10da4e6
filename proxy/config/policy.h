// Authorization policies as loaded from `policies/*.yaml`: typed and validated, group aliases
// already resolved to object ids, path patterns compiled. authz::Engine evaluates them; nothing here
// is parsed again per request. Owned by the Config; immutable after load.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/cidr.h"
#include "core/path_pattern.h"

namespace vigie::config {

// Bits of the authentication methods a criterion accepts.
enum AuthMethodBit : uint8_t {
  kAuthSession = 1,
  kAuthBearer = 2,            // a user's access token
  kAuthClientCredentials = 4  // a service principal's token
};

struct TimeWindow {
  uint8_t days = 0x7f;       // bit 0 = Monday ... bit 6 = Sunday
  int from_minute = 0;       // minutes after midnight, inclusive
  int to_minute = 24 * 60;   // exclusive; smaller than from_minute: the window spans midnight
  bool utc = false;          // false: the process's local time (TZ)
};

// One test on the caller or the request. A list criterion holds when any of its values does.
struct Criterion {
  enum class Kind {
    Groups,        // values: group object ids (aliases resolved), sorted
    Roles,         // values: app role values, sorted
    Users,         // values: oids, sorted
    Tenants,       // values: tenant ids, sorted
    EmailDomains,  // values: lower-case domains (display claim: only with allow_display_criteria)
    ClaimEquals,   // claim == one of values
    ClaimContains, // claim (a string or a list) contains one of values
    AuthMethods,   // auth_methods bitmask
    ClientCidrs,   // cidrs
    Methods,       // methods bitmask (core::method_bit)
    Paths,         // paths: any pattern matches the request path
    Time,          // time window
    Authenticated, // any authenticated caller (the built-in policy)
  };
  Kind kind = Kind::Authenticated;
  std::vector<std::string> values;
  std::string claim;
  uint8_t auth_methods = 0;
  uint32_t methods = 0;
  core::CidrSet cidrs;
  std::vector<core::PathPattern> paths;
  TimeWindow time;
  std::string text;  // as written, for reasons and explain: "groups: [clinicians]"
  std::string key;   // where: "policies.openmrs.rules[0].allow.groups", at `line` of the rule's file
  int line = 0;
};

// all / any / not over criteria; a mapping of several criteria is an implicit `all`.
struct Condition {
  enum class Op { All, Any, Not, Leaf };
  Op op = Op::All;
  std::vector<Condition> children;
  Criterion leaf;  // Op::Leaf
};

struct Rule {
  std::string name;  // as given, or "<policy>[<index>]"
  bool allow = false;
  Condition when;
  bool break_glass = false;     // allows only with a justification; flagged for the audit trail
  bool audit_patient = false;   // the requests it allows touch patient data
  std::string file;
  int line = 0;
};

struct Policy {
  std::string name;
  std::string description;
  std::vector<Rule> rules;
  // Requests on these paths touch patient data whatever the decision: allowed, denied or refused,
  // each one is recorded in the audit trail.
  std::vector<core::PathPattern> patient_data;
  std::string file;
  int line = 0;
  [[nodiscard]] bool marks_patient_data() const;
};

struct Authorization {
  std::vector<std::string> policy_files;        // as resolved from the config's directory
  std::map<std::string, std::string> groups;    // alias -> object id, from the config and the files
  bool allow_display_criteria = false;          // permits email_domains
  std::string break_glass_header = "X-Vigie-Justification";
  std::vector<Policy> policies;                 // the built-in `authenticated` first
  [[nodiscard]] const Policy* find(std::string_view name) const;
};

// The name of the built-in policy that lets any authenticated caller through.
inline constexpr std::string_view kAuthenticatedPolicy = "authenticated";

}  // namespace vigie::config
