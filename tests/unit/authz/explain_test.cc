// authz::explain: traced evaluation copied out of the config (deny, allow, break glass, rules never
// reached), RFC 3339 times, the caller with group aliases, and the text and JSON renderings that
// `vigie explain` prints.
#include "authz/explain.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "config/policy_loader.h"
#include "core/http_method.h"

namespace vigie::authz {
namespace {

const std::string kClinicians = "11111111-1111-1111-1111-111111111111";
const std::string kNurses = "22222222-2222-2222-2222-222222222222";
const std::string kOther = "33333333-3333-3333-3333-333333333333";

const char* kPolicy = R"(groups:
  clinicians: 11111111-1111-1111-1111-111111111111
  nurses: 22222222-2222-2222-2222-222222222222
policies:
  openmrs:
    description: OpenMRS for clinicians
    rules:
      - name: clinicians-read
        allow:
          groups: [clinicians]
          methods: [GET]
          paths: [/openmrs/ws/rest/v1/patient/**]
        audit: patient
      - name: no-delete
        deny:
          methods: [DELETE]
      - name: emergency
        allow:
          groups: [nurses]
        break_glass: true
      - name: by-department
        allow:
          claims: {department: [cardiology]}
)";

config::Authorization load() {
  config::Authorization a;
  config::add_builtin_policies(a);
  config::Errors errors;
  config::load_policy_text(kPolicy, "policies/openmrs.yaml", a, errors);
  config::resolve_groups(a, errors);
  EXPECT_TRUE(errors.empty()) << (errors.empty() ? "" : errors[0].to_string());
  return a;
}

Facts facts(const Caller& c, std::string_view method, std::string_view path,
            std::string_view justification = "") {
  Facts f;
  f.subject = c.subject();
  f.method = core::method_bit(method);
  f.path = path;
  f.client = "10.1.2.3";
  f.justification = justification;
  f.now = *parse_time("2026-12-04T10:00:00Z");
  return f;
}

Caller caller(std::vector<std::string> groups) {
  Caller c;
  c.user = "alice@clinic.example";
  c.oid = "o1";
  c.tid = "t1";
  c.groups = std::move(groups);
  std::sort(c.groups.begin(), c.groups.end());
  return c;
}

std::vector<std::string> names(const Evaluation& e) {
  std::vector<std::string> out;
  for (const auto& r : e.rules) out.push_back(r.rule.name);
  return out;
}

TEST(ParseTime, table) {
  struct Case {
    const char* name;
    const char* text;
    const char* utc;  // nullptr: refused
  };
  const Case cases[] = {
      {"utc_with_z", "2026-12-04T10:00:00Z", "2026-12-04T10:00:00Z"},
      {"lower_case_t_and_z", "2026-12-04t10:00:00z", "2026-12-04T10:00:00Z"},
      {"positive_offset_is_east_of_utc", "2026-12-04T11:00:00+01:00", "2026-12-04T10:00:00Z"},
      {"negative_offset_crosses_midnight", "2026-12-03T23:30:00-01:00", "2026-12-04T00:30:00Z"},
      {"no_zone_refused", "2026-12-04T10:00:00", nullptr},
      {"date_only_refused", "2026-12-04", nullptr},
      {"february_30_refused", "2026-02-30T10:00:00Z", nullptr},
      {"hour_24_refused", "2026-12-04T24:00:00Z", nullptr},
      {"letters_refused", "2026-12-O4T10:00:00Z", nullptr},
      {"space_separator_refused", "2026-12-04 10:00:00Z", nullptr},
  };
  for (const auto& c : cases) {
    auto t = parse_time(c.text);
    if (!c.utc) {
      EXPECT_FALSE(t) << c.name;
      continue;
    }
    ASSERT_TRUE(t) << c.name;
    EXPECT_EQ(format_time(*t), c.utc) << c.name;
  }
}

TEST(AuthMethod, names_round_trip_and_unknown_is_zero) {
  for (const char* n : {"session", "bearer", "client_credentials"})
    EXPECT_EQ(auth_method_name(auth_method_bit(n)), n);
  EXPECT_EQ(auth_method_bit("cookie"), 0);
  EXPECT_EQ(auth_method_name(0), "");
}

TEST(Outcome, status_and_exit_table) {
  struct Case {
    Outcome o;
    const char* name;
    int status;
    int exit;
  };
  const Case cases[] = {
      {Outcome::Allow, "allow", 200, 0},
      {Outcome::Public, "public", 200, 0},
      {Outcome::Endpoint, "endpoint", 200, 0},
      {Outcome::Deny, "deny", 403, 3},
      {Outcome::JustificationRequired, "justification_required", 403, 3},
      {Outcome::InsufficientScope, "insufficient_scope", 403, 3},
      {Outcome::NoRoute, "no_route", 404, 3},
      {Outcome::BadRequest, "bad_request", 400, 3},
      {Outcome::Unauthenticated, "unauthenticated", 401, 3},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(outcome_name(c.o), c.name);
    EXPECT_EQ(http_status(c.o), c.status) << c.name;
    EXPECT_EQ(exit_status(c.o), c.exit) << c.name;
  }
}

TEST(EvaluateTraced, allow_names_its_rule_with_file_and_line_and_lists_rules_in_evaluation_order) {
  auto a = load();
  Caller c = caller({kClinicians});
  auto e = evaluate_traced(*a.find("openmrs"), facts(c, "GET", "/openmrs/ws/rest/v1/patient/abc"));
  EXPECT_EQ(e.outcome, Outcome::Allow);
  ASSERT_TRUE(e.rule);
  EXPECT_EQ(e.rule->where(), "policies/openmrs.yaml:8");
  EXPECT_TRUE(e.audit_patient);
  EXPECT_FALSE(e.break_glass);
  // Deny rules first, then ordinary allows, then break glass.
  EXPECT_EQ(names(e),
            (std::vector<std::string>{"no-delete", "clinicians-read", "by-department", "emergency"}));
  EXPECT_TRUE(e.rules[1].matched);
  EXPECT_EQ(e.rules[0].failed, std::vector<std::string>{"methods: [DELETE]"});
  EXPECT_EQ(e.rules[2].failed, std::vector<std::string>{"claims.department: [cardiology]"});
}

TEST(EvaluateTraced, matching_deny_marks_the_rules_after_it_not_evaluated) {
  auto a = load();
  Caller c = caller({kClinicians});
  auto e = evaluate_traced(*a.find("openmrs"), facts(c, "DELETE", "/openmrs/ws/rest/v1/patient/abc"));
  EXPECT_EQ(e.outcome, Outcome::Deny);
  EXPECT_EQ(e.reason(), "no-delete");
  ASSERT_EQ(e.rules.size(), 4u);
  EXPECT_TRUE(e.rules[0].evaluated && e.rules[0].matched);
  for (size_t i = 1; i < e.rules.size(); ++i) EXPECT_FALSE(e.rules[i].evaluated) << e.rules[i].rule.name;
}

TEST(EvaluateTraced, default_deny_has_no_rule) {
  auto a = load();
  Caller c = caller({kOther});
  auto e = evaluate_traced(*a.find("openmrs"), facts(c, "GET", "/openmrs/ws/rest/v1/patient/abc"));
  EXPECT_EQ(e.outcome, Outcome::Deny);
  EXPECT_FALSE(e.rule);
  EXPECT_EQ(e.reason(), "default_deny");
}

TEST(EvaluateTraced, break_glass_without_then_with_a_justification) {
  auto a = load();
  Caller c = caller({kNurses});
  auto need = evaluate_traced(*a.find("openmrs"), facts(c, "GET", "/openmrs/x"));
  EXPECT_EQ(need.outcome, Outcome::JustificationRequired);
  EXPECT_EQ(need.reason(), "emergency");
  auto glass =
      evaluate_traced(*a.find("openmrs"), facts(c, "GET", "/openmrs/x", "patient unconscious in ER"));
  EXPECT_EQ(glass.outcome, Outcome::Allow);
  EXPECT_TRUE(glass.break_glass);
  EXPECT_TRUE(glass.audit_patient);
}

TEST(EvaluateTraced, claims_kept_on_the_caller_reach_claims_criteria) {
  auto a = load();
  Caller c = caller({});
  c.claims = {{"department", {"cardiology"}}};
  EXPECT_EQ(evaluate_traced(*a.find("openmrs"), facts(c, "GET", "/x")).reason(), "by-department");
  EXPECT_EQ(policy_claim_names(a), std::vector<std::string>{"department"});
}

TEST(Describe, groups_show_the_aliases_the_config_defines) {
  auto a = load();
  Caller c = caller({kClinicians, kOther});
  c.method = config::kAuthBearer;
  auto w = describe(c, a, facts(c, "GET", "/"));
  ASSERT_EQ(w.groups.size(), 2u);
  EXPECT_EQ(w.groups[0].alias, "clinicians");
  EXPECT_EQ(w.groups[1].alias, "");
  EXPECT_EQ(w.method, "bearer");
  EXPECT_EQ(w.time, "2026-12-04T10:00:00Z");
  EXPECT_EQ(w.client, "10.1.2.3");
}

Explanation allowed_explanation(const config::Authorization& a) {
  Caller c = caller({kClinicians});
  Facts f = facts(c, "GET", "/openmrs/ws/rest/v1/patient/abc");
  Explanation e;
  e.request = {"GET", "https://emr.example.org/openmrs/ws/rest/v1/patient/abc?v=full", "emr.example.org",
               "/openmrs/ws/rest/v1/patient/abc", "v=full"};
  e.route = Explanation::Route{"openmrs-rest", "vigie.yaml", 12, "session"};
  const auto& p = *a.find("openmrs");
  e.policy = Explanation::PolicyInfo{{p.name, p.file, p.line}, p.description};
  e.caller = describe(c, a, f);
  e.evaluation = evaluate_traced(p, f);
  e.outcome = e.evaluation->outcome;
  return e;
}

TEST(RenderText, allowed_request_shows_route_policy_caller_decision_and_every_rule) {
  auto a = load();
  std::string t = render_text(allowed_explanation(a));
  const char* wanted[] = {
      "request   GET https://emr.example.org/openmrs/ws/rest/v1/patient/abc?v=full\n",
      "          host emr.example.org, path /openmrs/ws/rest/v1/patient/abc, query v=full\n",
      "route     openmrs-rest (vigie.yaml:12), auth session\n",
      "policy    openmrs (policies/openmrs.yaml:6): OpenMRS for clinicians\n",
      "caller    alice@clinic.example (session)\n",
      "          groups clinicians (11111111-1111-1111-1111-111111111111)\n",
      "          roles (none)\n",
      "decision  ALLOW (200)\n",
      "          rule clinicians-read (policies/openmrs.yaml:8)\n",
      "          audit: patient\n",
      "  deny  no-delete (policies/openmrs.yaml:14): no match\n",
      "      failed: methods: [DELETE]\n",
      "  allow clinicians-read (policies/openmrs.yaml:8): MATCH [audit: patient]\n",
      "  allow (break glass) emergency (policies/openmrs.yaml:17): no match\n",
  };
  for (const char* w : wanted) EXPECT_NE(t.find(w), std::string::npos) << "missing: " << w << "\nin:\n" << t;
}

TEST(RenderText, outcomes_without_a_policy_say_why) {
  struct Case {
    const char* name;
    Outcome outcome;
    bool route;
    const char* wanted;
  };
  const Case cases[] = {
      {"no_route_is_404", Outcome::NoRoute, false, "route     none\ndecision  NOT FOUND (404)\n"},
      {"public_route_has_no_policy", Outcome::Public, true,
       "policy    none (public route)\ndecision  PUBLIC (200)\n"},
      {"refused_path_is_400", Outcome::BadRequest, false, "decision  BAD REQUEST (400)\n"},
  };
  for (const auto& c : cases) {
    Explanation e;
    e.request = {"GET", "https://h/x", "h", "/x", ""};
    if (c.route) e.route = Explanation::Route{"r", "vigie.yaml", 3, "public"};
    e.outcome = c.outcome;
    e.note = "because";
    std::string t = render_text(e);
    EXPECT_NE(t.find(c.wanted), std::string::npos) << c.name << ":\n" << t;
    EXPECT_NE(t.find("          because\n"), std::string::npos) << c.name;
    EXPECT_EQ(t.find("rules, in evaluation order"), std::string::npos) << c.name;
  }
}

TEST(RenderJson, one_object_with_the_same_facts) {
  auto a = load();
  auto j = nlohmann::json::parse(render_json(allowed_explanation(a)));
  EXPECT_EQ(j["decision"], "allow");
  EXPECT_EQ(j["status"], 200);
  EXPECT_EQ(j["route"]["id"], "openmrs-rest");
  EXPECT_EQ(j["route"]["line"], 12);
  EXPECT_EQ(j["policy"]["name"], "openmrs");
  EXPECT_EQ(j["policy"]["line"], 6);
  EXPECT_EQ(j["rule"]["name"], "clinicians-read");
  EXPECT_EQ(j["rule"]["file"], "policies/openmrs.yaml");
  EXPECT_EQ(j["audit"], "patient");
  EXPECT_EQ(j["break_glass"], false);
  EXPECT_EQ(j["caller"]["groups"][0]["alias"], "clinicians");
  ASSERT_EQ(j["rules"].size(), 4u);
  EXPECT_EQ(j["rules"][0]["effect"], "deny");
  EXPECT_EQ(j["rules"][0]["failed"][0], "methods: [DELETE]");
  EXPECT_EQ(j["rules"][1]["matched"], true);
}

TEST(RenderJson, no_route_has_null_route_policy_and_rule) {
  Explanation e;
  e.request = {"GET", "https://h/x", "h", "/x", ""};
  e.outcome = Outcome::NoRoute;
  auto j = nlohmann::json::parse(render_json(e));
  EXPECT_EQ(j["decision"], "no_route");
  EXPECT_EQ(j["status"], 404);
  EXPECT_TRUE(j["route"].is_null());
  EXPECT_TRUE(j["policy"].is_null());
  EXPECT_TRUE(j["rule"].is_null());
  EXPECT_TRUE(j["rules"].empty());
}

TEST(RenderJson, invalid_utf8_is_replaced_not_thrown) {
  Explanation e;
  e.request = {"GET", "https://h/\xff", "h", "/\xff", ""};
  nlohmann::json j;
  EXPECT_NO_THROW(j = nlohmann::json::parse(render_json(e)));
  EXPECT_EQ(j["request"]["path"], "/\xEF\xBF\xBD");  // U+FFFD
}

}  // namespace
}  // namespace vigie::authz
