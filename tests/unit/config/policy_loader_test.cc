// Policy files (config::load_policy_text, config::resolve_groups) and the `authorization` section of the
// config (config::load_string): typed results, and every mistake reported with its file, line and key.
#include "config/policy_loader.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/loader.h"
#include "core/http_method.h"

namespace vigie::config {
namespace {

namespace fs = std::filesystem;
using Kind = Criterion::Kind;

const std::string kClinicians = "11111111-1111-1111-1111-111111111111";
const std::string kOps = "22222222-2222-2222-2222-222222222222";

struct Loaded {
  Authorization a;
  Errors errors;
};

// Reads `files` (name, text) in order as one authorization would, then resolves the aliases.
Loaded load(const std::vector<std::pair<std::string, std::string>>& files, bool display = false) {
  Loaded l;
  l.a.allow_display_criteria = display;
  add_builtin_policies(l.a);
  for (const auto& [name, text] : files) load_policy_text(text, name, l.a, l.errors);
  resolve_groups(l.a, l.errors);
  return l;
}

Loaded load(const std::string& text, bool display = false) {
  return load({{"p.yaml", text}}, display);
}

std::string all(const Errors& errors) {
  std::string out;
  for (const auto& e : errors) out += e.to_string() + "\n";
  return out;
}

const Error* find_key(const Errors& errors, const std::string& key) {
  for (const auto& e : errors) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

const Criterion& leaf(const Condition& c, size_t i) {
  return c.children.at(i).leaf;
}

TEST(PolicyLoader, valid_file_is_typed_with_aliases_resolved_and_values_sorted) {
  auto l = load(R"(groups:
  clinicians: AAAAAAAA-1111-1111-1111-11111111111B
  ops: )" + kOps +
                R"(
policies:
  openmrs:
    description: OpenMRS for clinicians
    rules:
      - name: clinicians-read
        allow:
          groups: [ops, clinicians, 33333333-3333-3333-3333-33333333333C]
          roles: [Writer, Admin, Admin]
          methods: [POST, GET]
          paths: [/openmrs/ws/rest/v1/patient/**, /openmrs/*.htm]
        audit: patient
      - deny:
          client_cidrs: [0.0.0.0/0]
          not: {client_cidrs: [10.0.0.0/8, "fd00::/8"]}
      - break_glass: true
        allow:
          roles: BreakGlass
          time: {days: [Mon, fri], from: "08:00", to: "18:30", zone: utc}
)");
  ASSERT_TRUE(l.errors.empty()) << all(l.errors);
  // Aliases are stored lower-case, whatever case the file used.
  EXPECT_EQ(l.a.groups.at("clinicians"), "aaaaaaaa-1111-1111-1111-11111111111b");
  EXPECT_EQ(l.a.groups.at("ops"), kOps);
  ASSERT_EQ(l.a.policies.size(), 2u);
  EXPECT_EQ(l.a.policies[0].name, "authenticated");  // the built-in stays first
  const Policy* p = l.a.find("openmrs");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->description, "OpenMRS for clinicians");
  EXPECT_EQ(p->file, "p.yaml");
  EXPECT_EQ(p->line, 6);
  ASSERT_EQ(p->rules.size(), 3u);

  const Rule& read = p->rules[0];
  EXPECT_EQ(read.name, "clinicians-read");
  EXPECT_TRUE(read.allow);
  EXPECT_TRUE(read.audit_patient);
  EXPECT_FALSE(read.break_glass);
  EXPECT_EQ(read.file, "p.yaml");
  EXPECT_EQ(read.line, 8);
  ASSERT_EQ(read.when.op, Condition::Op::All);
  ASSERT_EQ(read.when.children.size(), 4u);
  const Criterion& groups = leaf(read.when, 0);
  EXPECT_EQ(groups.kind, Kind::Groups);
  EXPECT_EQ(groups.values, (std::vector<std::string>{kOps, "33333333-3333-3333-3333-33333333333c",
                                                     "aaaaaaaa-1111-1111-1111-11111111111b"}));
  EXPECT_EQ(groups.text, "groups: [ops, clinicians, 33333333-3333-3333-3333-33333333333C]");  // as written
  const Criterion& roles = leaf(read.when, 1);
  EXPECT_EQ(roles.kind, Kind::Roles);
  EXPECT_EQ(roles.values, (std::vector<std::string>{"Admin", "Writer"}));  // sorted, once each
  const Criterion& methods = leaf(read.when, 2);
  EXPECT_EQ(methods.kind, Kind::Methods);
  EXPECT_EQ(methods.methods, core::method_bit("GET") | core::method_bit("POST"));
  EXPECT_EQ(methods.text, "methods: [POST, GET]");
  const Criterion& paths = leaf(read.when, 3);
  EXPECT_EQ(paths.kind, Kind::Paths);
  ASSERT_EQ(paths.paths.size(), 2u);
  EXPECT_EQ(paths.paths[0].text(), "/openmrs/ws/rest/v1/patient/**");
  EXPECT_TRUE(paths.paths[1].matches("/openmrs/login.htm"));

  const Rule& deny = p->rules[1];
  EXPECT_EQ(deny.name, "openmrs[1]");  // defaulted from the policy name and index
  EXPECT_FALSE(deny.allow);
  EXPECT_FALSE(deny.audit_patient);
  ASSERT_EQ(deny.when.children.size(), 2u);
  EXPECT_EQ(leaf(deny.when, 0).kind, Kind::ClientCidrs);
  const Condition& negated = deny.when.children[1];
  EXPECT_EQ(negated.op, Condition::Op::Not);
  ASSERT_EQ(negated.children.size(), 1u);
  EXPECT_EQ(leaf(negated.children[0], 0).kind, Kind::ClientCidrs);
  EXPECT_EQ(leaf(negated.children[0], 0).text, "client_cidrs: [10.0.0.0/8, fd00::/8]");

  const Rule& glass = p->rules[2];
  EXPECT_EQ(glass.name, "openmrs[2]");
  EXPECT_TRUE(glass.allow);
  EXPECT_TRUE(glass.break_glass);
  ASSERT_EQ(glass.when.children.size(), 2u);
  EXPECT_EQ(leaf(glass.when, 0).values, std::vector<std::string>{"BreakGlass"});  // a string is a list of one
  const Criterion& time = leaf(glass.when, 1);
  EXPECT_EQ(time.kind, Kind::Time);
  EXPECT_EQ(time.time.days, 0b0010001);  // Monday and Friday, any case
  EXPECT_EQ(time.time.from_minute, 8 * 60);
  EXPECT_EQ(time.time.to_minute, 18 * 60 + 30);
  EXPECT_TRUE(time.time.utc);
}

TEST(PolicyLoader, every_criterion_kind_is_read) {
  auto l = load(R"(policies:
  p:
    rules:
      - allow:
          users: [o2, o1]
          tenants: [t1]
          email_domains: [Clinic.Example, b.example]
          claims: {department: [ent, audiology], level: "3"}
          claims_contain: {wids: w-admin}
          auth: [bearer, session]
          time: {to: "24:00"}
          authenticated: true
          any: [{roles: [A]}, {roles: [B]}]
          all: [{roles: [C]}]
)",
                true);
  ASSERT_TRUE(l.errors.empty()) << all(l.errors);
  const Condition& w = l.a.find("p")->rules[0].when;
  std::vector<Kind> kinds;
  for (const auto& c : w.children) {
    if (c.op == Condition::Op::Leaf) kinds.push_back(c.leaf.kind);
  }
  EXPECT_EQ(kinds, (std::vector<Kind>{Kind::Users, Kind::Tenants, Kind::EmailDomains, Kind::ClaimEquals,
                                      Kind::ClaimEquals, Kind::ClaimContains, Kind::AuthMethods, Kind::Time,
                                      Kind::Authenticated}));
  EXPECT_EQ(leaf(w, 0).values, (std::vector<std::string>{"o1", "o2"}));
  EXPECT_EQ(leaf(w, 2).values, (std::vector<std::string>{"b.example", "clinic.example"}));  // lower-cased
  EXPECT_EQ(leaf(w, 3).claim, "department");
  EXPECT_EQ(leaf(w, 3).values, (std::vector<std::string>{"audiology", "ent"}));
  EXPECT_EQ(leaf(w, 3).text, "claims.department: [ent, audiology]");
  EXPECT_EQ(leaf(w, 4).claim, "level");
  EXPECT_EQ(leaf(w, 5).claim, "wids");
  EXPECT_EQ(leaf(w, 6).auth_methods, kAuthBearer | kAuthSession);
  EXPECT_EQ(leaf(w, 7).time.from_minute, 0);
  EXPECT_EQ(leaf(w, 7).time.to_minute, 24 * 60);
  EXPECT_EQ(leaf(w, 7).time.days, 0x7f);  // no days: every day
  EXPECT_FALSE(leaf(w, 7).time.utc);      // local time unless told
  ASSERT_EQ(w.children.size(), 11u);
  EXPECT_EQ(w.children[9].op, Condition::Op::All);  // `all` is read before `any`
  EXPECT_EQ(w.children[10].op, Condition::Op::Any);
  EXPECT_EQ(w.children[10].children.size(), 2u);
}

TEST(PolicyLoader, aliases_are_shared_across_files_and_may_be_repeated_identically) {
  // The same object id, once lower-case and once upper-case: the same group, not a conflict.
  auto l = load({{"groups.yaml", "groups: {nurses: abcdef00-1111-1111-1111-111111111111}\n"},
                 {"openmrs.yaml",
                  "groups: {nurses: ABCDEF00-1111-1111-1111-111111111111}\n"
                  "policies:\n  p:\n    rules: [{allow: {groups: nurses}}]\n"}});
  ASSERT_TRUE(l.errors.empty()) << all(l.errors);
  EXPECT_EQ(leaf(l.a.find("p")->rules[0].when, 0).values,
            std::vector<std::string>{"abcdef00-1111-1111-1111-111111111111"});
  EXPECT_EQ(l.a.find("p")->file, "openmrs.yaml");
}

TEST(PolicyLoader, alias_used_before_the_file_defining_it_resolves) {
  auto l = load({{"a.yaml", "policies:\n  p:\n    rules: [{allow: {groups: [ops]}}]\n"},
                 {"b.yaml", "groups: {ops: " + kOps + "}\n"}});
  ASSERT_TRUE(l.errors.empty()) << all(l.errors);
  EXPECT_EQ(leaf(l.a.find("p")->rules[0].when, 0).values, std::vector<std::string>{kOps});
}

struct BadCase {
  const char* name;
  std::string text;  // read as "bad.yaml", after `prior` (if any) was read as "prior.yaml"
  std::string key;   // the exact key path of the error
  int line;
  std::string message;  // a fragment
  std::string prior = "";
  bool display = false;
};

// Lines 1-5 of most cases: the rule under test starts on line 6.
const std::string kHead = "groups:\n  clinicians: " + kClinicians + "\npolicies:\n  p:\n    rules:\n";

TEST(PolicyLoader, patient_data_paths_mark_the_policy) {
  auto l = load(kHead + "      - allow: {groups: [clinicians]}\n    patient_data: [\"/openmrs/ws/rest/v1/patient/**\"]\n");
  ASSERT_TRUE(l.errors.empty()) << all(l.errors);
  const Policy* p = l.a.find("p");
  ASSERT_EQ(p->patient_data.size(), 1u);
  EXPECT_TRUE(p->patient_data[0].matches("/openmrs/ws/rest/v1/patient/abc"));
  EXPECT_TRUE(p->marks_patient_data());
  EXPECT_FALSE(l.a.find("authenticated")->marks_patient_data());
}

TEST(PolicyLoader, bad_files_name_file_line_and_key) {
  for (const auto& c : std::vector<BadCase>{
           {"unknown_key_in_rule", kHead + "      - allow: {groups: [clinicians]}\n        colour: red\n",
            "policies.p.rules[0].colour", 7, "unknown key"},
           {"unknown_key_in_condition", kHead + "      - allow: {groups: [clinicians], group: [x]}\n",
            "policies.p.rules[0].allow.group", 6, "unknown key"},
           {"unknown_key_in_policy", kHead + "      - allow: {authenticated: true}\n    owner: me\n",
            "policies.p.owner", 7, "unknown key"},
           {"unknown_top_level_key", "polices:\n  p: {}\n", "polices", 1, "unknown key"},
           {"both_allow_and_deny",
            kHead + "      - allow: {groups: [clinicians]}\n        deny: {methods: [DELETE]}\n",
            "policies.p.rules[0]", 6, "needs exactly one of allow, deny"},
           {"neither_allow_nor_deny", kHead + "      - name: nothing\n        audit: patient\n",
            "policies.p.rules[0]", 6, "needs exactly one of allow, deny"},
           {"audit_mark_on_a_deny_rule", kHead + "      - deny: {methods: [DELETE]}\n        audit: patient\n",
            "policies.p.rules[0].audit", 7, "marks what an allow rule lets through"},
           {"empty_patient_data", kHead + "      - allow: {authenticated: true}\n    patient_data: []\n",
            "policies.p.patient_data", 7, "is empty"},
           {"bad_patient_data_pattern", kHead + "      - allow: {authenticated: true}\n    patient_data: [nope]\n",
            "policies.p.patient_data", 7, "must start with '/'"},
           {"empty_allow_mapping", kHead + "      - allow: {}\n", "policies.p.rules[0].allow", 6,
            "holds no criterion (write `authenticated: true`"},
           {"null_allow", kHead + "      - allow:\n", "policies.p.rules[0].allow", 6, "holds no criterion"},
           {"deny_with_only_authenticated_false", kHead + "      - deny: {authenticated: false}\n",
            "policies.p.rules[0].deny", 6, "holds no criterion"},
           {"allow_not_a_mapping", kHead + "      - allow: [groups]\n", "policies.p.rules[0].allow", 6,
            "expected a mapping"},
           {"rule_not_a_mapping", kHead + "      - allow\n", "policies.p.rules[0]", 6, "expected a mapping"},
           {"rules_missing", "policies:\n  p:\n    description: x\n", "policies.p.rules", 3, "is required"},
           {"empty_group_list", kHead + "      - allow: {groups: []}\n", "policies.p.rules[0].allow.groups",
            6, "is empty: it would never match"},
           {"group_list_of_mappings", kHead + "      - allow:\n          groups:\n            - {a: b}\n",
            "policies.p.rules[0].allow.groups[0]", 8, "expected a string"},
           {"empty_claim_values", kHead + "      - allow: {claims: {department: []}}\n",
            "policies.p.rules[0].allow.claims.department", 6, "is empty"},
           {"alias_not_a_guid", "groups:\n  clinicians: 11111111-1111-1111-1111-11111111111\n",
            "groups.clinicians", 2,
            "expected a group object id (a GUID), got '11111111-1111-1111-1111-11111111111'"},
           {"alias_with_braces_is_not_a_guid", "groups:\n  ops: \"{" + kOps + "}\"\n", "groups.ops", 2,
            "expected a group object id"},
           {"alias_defined_twice_differently", "groups:\n  clinicians: " + kOps + "\n", "groups.clinicians",
            2, "is already defined as " + kClinicians, "groups:\n  clinicians: " + kClinicians + "\n"},
           {"alias_defined_twice_in_one_file",
            "groups:\n  clinicians: " + kClinicians + "\n  clinicians: " + kClinicians + "\n",
            "groups.clinicians", 3, "duplicate key"},
           {"unknown_method", kHead + "      - allow: {methods: [GET, FETCH]}\n",
            "policies.p.rules[0].allow.methods", 6, "unknown method 'FETCH'"},
           {"method_names_are_case_sensitive", kHead + "      - allow: {methods: [get]}\n",
            "policies.p.rules[0].allow.methods", 6, "unknown method 'get'"},
           {"bad_cidr_prefix", kHead + "      - deny: {client_cidrs: [10.0.0.0/33]}\n",
            "policies.p.rules[0].deny.client_cidrs", 6, "'10.0.0.0/33' is not an address or CIDR network"},
           {"cidr_host_name", kHead + "      - deny: {client_cidrs: [intranet]}\n",
            "policies.p.rules[0].deny.client_cidrs", 6, "'intranet' is not an address"},
           {"path_pattern_without_slash", kHead + "      - allow: {paths: [/ok/**, openmrs/**]}\n",
            "policies.p.rules[0].allow.paths", 6, "'openmrs/**' must start with '/'"},
           {"path_pattern_unclosed_alternative",
            kHead + "      - allow:\n          paths:\n            - /v1/{a,b\n",
            "policies.p.rules[0].allow.paths", 7, "'/v1/{a,b' '{' needs a closing '}'"},
           {"path_pattern_empty_segment", kHead + "      - deny: {paths: [/admin//**]}\n",
            "policies.p.rules[0].deny.paths", 6, "never matches a normalised path"},
           {"time_hour_25", kHead + "      - allow:\n          time: {from: \"25:00\"}\n",
            "policies.p.rules[0].allow.time.from", 7, "expected HH:MM (24-hour), got '25:00'"},
           {"time_minute_60", kHead + "      - allow:\n          time:\n            to: \"12:60\"\n",
            "policies.p.rules[0].allow.time.to", 8, "got '12:60'"},
           {"time_one_digit_hour", kHead + "      - allow: {time: {from: \"7:30\"}}\n",
            "policies.p.rules[0].allow.time.from", 6, "got '7:30'"},
           {"time_24_past_midnight", kHead + "      - allow: {time: {to: \"24:01\"}}\n",
            "policies.p.rules[0].allow.time.to", 6, "got '24:01'"},
           {"time_from_equals_to",
            kHead +
                "      - allow:\n          time:\n            from: \"08:00\"\n            to: \"08:00\"\n",
            "policies.p.rules[0].allow.time.to", 9, "equals from: the window would be empty"},
           {"time_unknown_day", kHead + "      - allow:\n          time: {days: [mon, funday]}\n",
            "policies.p.rules[0].allow.time.days", 7, "unknown day 'funday'"},
           {"time_unknown_zone", kHead + "      - allow: {time: {zone: CET}}\n",
            "policies.p.rules[0].allow.time.zone", 6, "expected local or utc"},
           {"time_unknown_key", kHead + "      - allow: {time: {until: \"10:00\"}}\n",
            "policies.p.rules[0].allow.time.until", 6, "unknown key"},
           {"unknown_auth_method", kHead + "      - allow: {auth: [session, password]}\n",
            "policies.p.rules[0].allow.auth", 6,
            "unknown method 'password' (session, bearer, client_credentials)"},
           {"email_domains_without_allow_display_criteria",
            kHead + "      - allow: {email_domains: [clinic.example]}\n",
            "policies.p.rules[0].allow.email_domains", 6, "set authorization.allow_display_criteria: true"},
           {"email_domains_in_nested_condition_too",
            kHead + "      - allow:\n          any:\n            - {email_domains: [a.example]}\n",
            "policies.p.rules[0].allow.any[0].email_domains", 8, "allow_display_criteria"},
           {"break_glass_on_deny", kHead + "      - deny: {methods: [DELETE]}\n        break_glass: true\n",
            "policies.p.rules[0].break_glass", 7, "applies to allow rules only"},
           {"break_glass_not_a_boolean", kHead + "      - allow: {roles: [A]}\n        break_glass: yes\n",
            "policies.p.rules[0].break_glass", 7, "expected true or false, got 'yes'"},
           {"audit_other", kHead + "      - allow: {roles: [A]}\n        audit: other\n",
            "policies.p.rules[0].audit", 7, "expected patient, got 'other'"},
           {"any_empty", kHead + "      - allow: {any: []}\n", "policies.p.rules[0].allow.any", 6,
            "needs at least one condition"},
           {"any_with_empty_condition", kHead + "      - allow:\n          any:\n            - {}\n",
            "policies.p.rules[0].allow.any[0]", 8, "holds no criterion"},
           {"not_empty", kHead + "      - allow: {roles: [A], not: {}}\n", "policies.p.rules[0].allow.not", 6,
            "holds no criterion"},
           {"duplicate_policy_name_across_files", "policies:\n  p:\n    rules: [{allow: {roles: [A]}}]\n",
            "policies.p", 2, "policy 'p' is already defined",
            "policies:\n  p:\n    rules: [{allow: {roles: [B]}}]\n"},
           {"policy_named_like_the_builtin",
            "policies:\n  other: {rules: [{deny: {roles: [A]}}]}\n  authenticated:\n    rules: [{allow: "
            "{roles: [A]}}]\n",
            "policies.authenticated", 3, "policy 'authenticated' is already defined"},
           {"yaml_syntax_error", "policies:\n  p:\n    rules: [{allow: {roles: [A]}}]\n  q: a: b\n", "", 4,
            "syntax error: illegal map value"},
           {"not_a_mapping", "- policies\n", "", 0, "expected a mapping with groups and policies"},
       }) {
    Loaded l = c.prior.empty() ? load({{"bad.yaml", c.text}}, c.display)
                               : load({{"prior.yaml", c.prior}, {"bad.yaml", c.text}}, c.display);
    const Error* e = find_key(l.errors, c.key);
    ASSERT_NE(e, nullptr) << c.name << ": no error for key '" << c.key << "'; got:\n" << all(l.errors);
    EXPECT_EQ(e->file, "bad.yaml") << c.name;
    EXPECT_EQ(e->line, c.line) << c.name << ": " << e->to_string();
    EXPECT_NE(e->message.find(c.message), std::string::npos) << c.name << ": " << e->to_string();
  }
}

TEST(PolicyLoader, syntax_error_keeps_earlier_files_errors_apart) {
  Loaded l = load({{"good.yaml", "policies:\n  p:\n    rules: [{allow: {roles: [A]}}]\n"},
                   {"bad.yaml", "policies:\n  q:\n    rules: [\n"}});
  ASSERT_EQ(l.errors.size(), 1u) << all(l.errors);
  EXPECT_EQ(l.errors[0].file, "bad.yaml");
  EXPECT_NE(l.errors[0].message.find("syntax error"), std::string::npos);
  EXPECT_NE(l.a.find("p"), nullptr);
}

// The tests below state properties that policy_loader.cc does not hold yet; they fail until it does.

// resolve_groups reports an unknown alias under the key "rule p[0]" on the rule's line, not at the
// `groups` key path like every other error (config::Error::key is a dotted path).
TEST(PolicyLoader, unknown_group_alias_is_reported_at_its_key_path) {
  auto l = load(
      {{"bad.yaml", kHead + "      - name: read\n        allow:\n          groups: [clinicians, nurses]\n"}});
  ASSERT_EQ(l.errors.size(), 1u) << all(l.errors);
  const Error& e = l.errors[0];
  EXPECT_EQ(e.file, "bad.yaml");
  EXPECT_NE(e.message.find("group 'nurses' is neither an object id nor an alias"), std::string::npos)
      << e.to_string();
  EXPECT_EQ(e.key, "policies.p.rules[0].allow.groups") << e.to_string();
  EXPECT_EQ(e.line, 8) << e.to_string();
}

// Every list criterion refuses an empty list ("groups: []" is "is empty: it would never match"), but
// methods, paths, auth and client_cidrs accept one and then never match: in a deny rule that denies
// nothing, silently. An empty `days` list means every day instead of none.
TEST(PolicyLoader, empty_method_path_auth_cidr_and_day_lists_are_errors) {
  for (const auto& [key, rule] : std::vector<std::pair<std::string, std::string>>{
           {"policies.p.rules[0].deny.methods", "      - deny: {methods: []}\n"},
           {"policies.p.rules[0].deny.paths", "      - deny: {paths: []}\n"},
           {"policies.p.rules[0].deny.paths", "      - deny: {paths: }\n"},
           {"policies.p.rules[0].deny.auth", "      - deny: {auth: []}\n"},
           {"policies.p.rules[0].deny.client_cidrs", "      - deny: {client_cidrs: []}\n"},
           {"policies.p.rules[0].allow.time.days", "      - allow: {time: {days: []}}\n"},
       }) {
    auto l = load({{"bad.yaml", kHead + rule}});
    const Error* e = find_key(l.errors, key);
    EXPECT_NE(e, nullptr) << rule << "loaded without an error for " << key << "; got:\n" << all(l.errors);
  }
}

// `time:`, `claims:`, `claims_contain:` or `not:` written with nothing under it is dropped without a
// word, so the rule is broader than it reads ("clinicians, in office hours" becomes "clinicians").
// A list criterion left empty (`groups:`) is an error.
TEST(PolicyLoader, criteria_mappings_left_empty_are_errors) {
  for (const char* key : {"time", "claims", "claims_contain", "not"}) {
    auto l = load(
        {{"bad.yaml", kHead + "      - allow:\n          groups: [clinicians]\n          " + key + ":\n"}});
    const Error* e = find_key(l.errors, std::string("policies.p.rules[0].allow.") + key);
    EXPECT_NE(e, nullptr) << key << ": loaded without an error; got:\n" << all(l.errors);
  }
}

// A policy with nothing under it, or with `rules: []`, loads as a policy without rules: it denies every
// request (fail-closed), yet `vigie check` passes. `rules` is required, so an empty one should be too.
TEST(PolicyLoader, policy_without_rules_is_an_error) {
  for (const auto& [key, text] : std::vector<std::pair<std::string, std::string>>{
           {"policies.p", "policies:\n  p:\n"},
           {"policies.p.rules", "policies:\n  p: {rules: []}\n"},
       }) {
    auto l = load({{"bad.yaml", text}});
    EXPECT_NE(find_key(l.errors, key), nullptr) << text << "loaded without an error for " << key << "; got:\n"
                                                << all(l.errors);
  }
}

// Through the whole config loader: routes name policies, policy files sit next to the config.

// A fresh directory per test, removed with everything in it when the test ends.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::path(::testing::TempDir()) / "vigie-policy-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  fs::path write(const std::string& relative, const std::string& text) const {
    fs::path p = path_ / relative;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p;
  }
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Line 4: routes[0] (public); line 8: routes[1]; line 13: routes[2].
std::string config_text() {
  return R"(listeners: [{name: http, address: 127.0.0.1, port: 0}]
clusters: [{name: app, endpoints: ["http://127.0.0.1:9000"]}]
routes:
  - id: health
    path: {exact: /health}
    cluster: app
    auth: public
  - id: openmrs
    path: {prefix: /openmrs/}
    cluster: app
    auth: session
    policy: openmrs
  - id: api
    path: {prefix: /api/}
    cluster: app
    auth: session
    policy: authenticated
identity:
  provider:
    issuer: https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0/
    client_id: cid
    client_secret: {env: VIGIE_POLICY_TEST_CLIENT_SECRET}
  session:
    keys: {env: VIGIE_POLICY_TEST_SESSION_KEYS}
authorization:
  groups: {clinicians: )" +
         kClinicians + R"(}
  policy_files: [policies/openmrs.yaml, ../shared/groups.yaml]
)";
}

const char* kOpenmrsFile = R"(policies:
  openmrs:
    rules:
      - name: clinicians
        allow: {groups: [clinicians, ops]}
)";

class PolicyConfig : public ::testing::Test {
 protected:
  void SetUp() override {
    // Test values, never real secrets.
    setenv("VIGIE_POLICY_TEST_CLIENT_SECRET", "client-secret", 1);
    setenv("VIGIE_POLICY_TEST_SESSION_KEYS", "c2VjcmV0LWtleS1ub3QtdXNlZC1pbi1wcm9kdWN0aW9uISE=", 1);
    dir_.write("shared/groups.yaml", "groups: {ops: " + kOps + "}\n");
    config_ = (dir_.path() / "conf" / "vigie.yaml").string();
  }

  // Loads `text` as the config file conf/vigie.yaml, with `openmrs` as conf/policies/openmrs.yaml.
  core::Result<std::shared_ptr<const Config>, Errors> load_config(const std::string& text,
                                                                  const std::string& openmrs = kOpenmrsFile) {
    dir_.write("conf/policies/openmrs.yaml", openmrs);
    return load_string(text, config_);
  }

  TempDir dir_;
  std::string config_;
};

TEST_F(PolicyConfig, policy_files_resolve_from_the_config_directory_and_routes_find_their_policy) {
  auto c = load_config(config_text());
  ASSERT_TRUE(c) << all(c.error());
  const Authorization& a = (*c)->authorization;
  std::string openmrs = (dir_.path() / "conf/policies/openmrs.yaml").string();
  EXPECT_EQ(a.policy_files,
            (std::vector<std::string>{openmrs, (dir_.path() / "shared/groups.yaml").string()}));
  const Route& route = (*c)->routes[1];
  const Policy& p = a.policies.at(route.policy_index);
  EXPECT_EQ(p.name, "openmrs");
  EXPECT_EQ(p.file, openmrs);
  EXPECT_EQ(p.rules.at(0).file, openmrs);
  // One alias from the config, one from a file read after the policy that uses it.
  EXPECT_EQ(p.rules[0].when.children.at(0).leaf.values, (std::vector<std::string>{kClinicians, kOps}));
  EXPECT_EQ(a.policies.at((*c)->routes[2].policy_index).name, "authenticated");
}

TEST_F(PolicyConfig, builtin_authenticated_needs_no_authorization_section) {
  std::string text = config_text();
  text.erase(text.find("authorization:"));
  text.replace(text.find("policy: openmrs"), 15, "policy: authenticated");
  auto c = load_config(text);
  ASSERT_TRUE(c) << all(c.error());
  ASSERT_EQ((*c)->authorization.policies.size(), 1u);
  EXPECT_EQ((*c)->authorization.policies[0].name, "authenticated");
  EXPECT_EQ((*c)->routes[1].policy_index, 0u);
  EXPECT_EQ((*c)->routes[2].policy_index, 0u);
}

TEST_F(PolicyConfig, allow_display_criteria_permits_email_domains) {
  std::string text = config_text() + "  allow_display_criteria: true\n";
  auto c =
      load_config(text, "policies:\n  openmrs:\n    rules: [{allow: {email_domains: [Clinic.example]}}]\n");
  ASSERT_TRUE(c) << all(c.error());
  EXPECT_TRUE((*c)->authorization.allow_display_criteria);
}

struct ConfigCase {
  const char* name;
  std::string from;  // replaced in config_text() by `to`
  std::string to;
  std::string key;
  int line;
  std::string message;
  std::string openmrs = kOpenmrsFile;
  std::string file = "";  // relative to the temp dir; "" is the config file
};

TEST_F(PolicyConfig, route_and_policy_file_errors_name_file_line_and_key) {
  for (const auto& c : std::vector<ConfigCase>{
           {"non_public_route_without_policy", "    policy: openmrs\n", "", "routes[1].policy", 8,
            "is required for a route that is not public (default deny)"},
           {"public_route_with_a_policy", "    auth: public\n",
            "    auth: public\n    policy: authenticated\n", "routes[0].policy", 4,
            "a public route has no policy"},
           {"unknown_policy_name", "policy: openmrs", "policy: opnemrs", "routes[1].policy", 8,
            "no policy named 'opnemrs'"},
           {"missing_policy_file", "../shared/groups.yaml", "missing.yaml", "authorization.policy_files", 27,
            "cannot read " + (dir_.path() / "conf/missing.yaml").string()},
           {"unknown_authorization_key", "  policy_files:", "  policy_file:", "authorization.policy_file", 27,
            "unknown key"},
           {"error_inside_a_policy_file_names_that_file", "", "", "policies.openmrs.rules[0].allow.methods",
            3, "unknown method 'FETCH'", "policies:\n  openmrs:\n    rules: [{allow: {methods: [FETCH]}}]\n",
            "conf/policies/openmrs.yaml"},
           {"alias_redefined_by_a_policy_file", "", "", "groups.clinicians", 1,
            "is already defined as " + kClinicians, "groups: {clinicians: " + kOps + "}\n" + kOpenmrsFile,
            "conf/policies/openmrs.yaml"},
           {"email_domains_need_allow_display_criteria", "", "",
            "policies.openmrs.rules[0].allow.email_domains", 3, "allow_display_criteria",
            "policies:\n  openmrs:\n    rules: [{allow: {email_domains: [a.example]}}]\n",
            "conf/policies/openmrs.yaml"},
       }) {
    std::string text = config_text();
    if (!c.from.empty()) {
      size_t at = text.find(c.from);
      ASSERT_NE(at, std::string::npos) << c.name;
      text.replace(at, c.from.size(), c.to);
    }
    auto loaded = load_config(text, c.openmrs);
    ASSERT_FALSE(loaded) << c.name;
    const Error* e = find_key(loaded.error(), c.key);
    ASSERT_NE(e, nullptr) << c.name << ": no error for " << c.key << "; got:\n" << all(loaded.error());
    EXPECT_EQ(e->file, c.file.empty() ? config_ : (dir_.path() / c.file).string()) << c.name;
    EXPECT_EQ(e->line, c.line) << c.name << ": " << e->to_string();
    EXPECT_NE(e->message.find(c.message), std::string::npos) << c.name << ": " << e->to_string();
  }
}

TEST(PolicyConfigCleanup, temp_dir_is_removed_with_its_files) {
  fs::path kept;
  {
    TempDir d;
    kept = d.path();
    d.write("a/b.yaml", "x: 1\n");
    ASSERT_TRUE(fs::exists(kept / "a/b.yaml"));
  }
  EXPECT_FALSE(fs::exists(kept));
}

}  // namespace
}  // namespace vigie::config

namespace vigie::config {
namespace {

TEST_F(PolicyConfig, break_glass_header_cannot_be_a_credential_or_a_framing_header) {
  for (const char* bad : {"Authorization", "cookie", "Host", "X Bad"}) {
    auto c = load_config(config_text() + "  break_glass_header: \"" + bad + "\"\n", kOpenmrsFile);
    ASSERT_FALSE(c) << bad;
    EXPECT_TRUE(find_key(c.error(), "authorization.break_glass_header")) << bad << "\n" << all(c.error());
  }
  EXPECT_TRUE(load_config(config_text() + "  break_glass_header: X-Emergency-Reason\n", kOpenmrsFile));
}

TEST(PolicyLoader, a_comma_in_a_single_string_is_refused_not_read_as_one_value) {
  auto l = load(kHead + "      - allow: {roles: \"Admin, Editor\"}\n");
  EXPECT_TRUE(find_key(l.errors, "policies.p.rules[0].allow.roles")) << all(l.errors);
  EXPECT_TRUE(load(kHead + "      - allow: {roles: Admin}\n").errors.empty());
}

TEST(PolicyLoader, user_and_tenant_ids_are_compared_in_lower_case) {
  auto l = load(kHead + "      - allow: {users: [ABCDEF00-0000-4000-8000-00000000000A], tenants: [T1]}\n");
  ASSERT_TRUE(l.errors.empty()) << all(l.errors);
  const Rule& r = l.a.find("p")->rules[0];
  EXPECT_EQ(leaf(r.when, 0).values, std::vector<std::string>{"abcdef00-0000-4000-8000-00000000000a"});
  EXPECT_EQ(leaf(r.when, 1).values, std::vector<std::string>{"t1"});
}

}  // namespace
}  // namespace vigie::config
