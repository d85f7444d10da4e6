// authz::run_policy_tests: a passing file, failing cases with their mismatches and trace, and every
// kind of mistake in a test file reported with its file, line and key (and no case run).
#include "authz/policy_test.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/vigie_process.h"

namespace vigie::authz {
namespace {

namespace fs = std::filesystem;

const char* kPolicy = R"(groups:
  clinicians: 11111111-1111-1111-1111-111111111111
  nurses: 22222222-2222-2222-2222-222222222222
policies:
  openmrs:
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
      - name: auditors-office-hours
        allow:
          roles: [Auditor]
          time: {days: [mon, tue, wed, thu, fri], from: "08:00", to: "18:00", zone: utc}
      - name: cardiology
        allow:
          claims: {department: [cardiology]}
)";

// A stand-in for the CLI's claims-to-caller (authn lives above authz): the same fields, sorted.
Caller fake_caller(const nlohmann::json& claims, uint8_t method, const std::vector<std::string>& kept) {
  Caller c;
  c.method = method;
  c.oid = claims.value("oid", "");
  c.tid = claims.value("tid", "");
  c.user = claims.value("preferred_username", c.oid);
  for (const char* key : {"groups", "roles"}) {
    auto& out = std::string_view(key) == "groups" ? c.groups : c.roles;
    if (claims.contains(key)) out = claims[key].get<std::vector<std::string>>();
    std::sort(out.begin(), out.end());
  }
  for (const auto& k : kept) {
    if (claims.contains(k) && claims[k].is_string()) c.claims.push_back({k, {claims[k].get<std::string>()}});
  }
  return c;
}

TestHooks hooks() {
  TestHooks h;
  h.caller = fake_caller;
  h.normalise = [](std::string_view target) -> core::Result<std::string, std::string> {
    if (target.find("..") != std::string_view::npos) return core::fail(std::string("'..' climbs above '/'"));
    return std::string(target.substr(0, target.find('?')));
  };
  h.now = *parse_time("2026-12-05T12:00:00Z");  // a Saturday
  return h;
}

class PolicyTestFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::make_temp_dir();
    fs::create_directories(dir_ + "/tests");
    std::ofstream(dir_ + "/openmrs.yaml") << kPolicy;
  }
  void TearDown() override { fs::remove_all(dir_); }

  FileResult run(const std::string& text) {
    std::string path = dir_ + "/tests/openmrs_test.yaml";
    std::ofstream(path) << text;
    return run_policy_tests(path, hooks());
  }

  std::string dir_;
};

std::string errors_of(const FileResult& r) {
  std::string out;
  for (const auto& e : r.errors) out += e.to_string() + "\n";
  return out;
}

const char* kPassing = R"(policy_files: [../openmrs.yaml]
cases:
  - name: clinician reads a patient chart
    policy: openmrs
    claims: {oid: o1, tid: t1, preferred_username: a@x, groups: [clinicians], roles: []}
    request: GET /openmrs/ws/rest/v1/patient/abc?v=full
    expect: allow
    rule: clinicians-read
    audit: patient
  - name: nobody deletes
    policy: openmrs
    claims: {oid: o1, groups: [clinicians]}
    request: DELETE /openmrs/ws/rest/v1/patient/abc
    expect: deny
    rule: no-delete
  - name: an object id works as well as an alias
    policy: openmrs
    claims: {oid: o1, groups: [11111111-1111-1111-1111-111111111111]}
    request: GET /openmrs/ws/rest/v1/patient/abc
    expect: allow
  - name: a nurse needs a justification
    policy: openmrs
    claims: {oid: o2, groups: [nurses]}
    request: GET /openmrs/ws/rest/v1/obs
    expect: justification_required
    rule: emergency
  - name: a nurse with a justification breaks the glass
    policy: openmrs
    claims: {oid: o2, groups: [nurses]}
    request: GET /openmrs/ws/rest/v1/obs
    justification: "patient unconscious in ER"
    client: 10.1.2.3
    expect: allow
    audit: patient
  - name: auditor on a weekday morning
    policy: openmrs
    claims: {oid: o3, roles: [Auditor]}
    auth: bearer
    request: GET /openmrs/ws/rest/v1/obs
    time: "2026-12-04T10:00:00Z"
    expect: allow
    audit: none
  - name: auditor at the default time (a Saturday)
    policy: openmrs
    claims: {oid: o3, roles: [Auditor]}
    request: GET /openmrs/ws/rest/v1/obs
    expect: deny
    rule: default_deny
  - name: claims the policies test are kept
    policy: openmrs
    claims: {oid: o4, department: cardiology}
    request: POST /openmrs/ws/rest/v1/encounter
    expect: allow
    rule: cardiology
  - name: the built-in policy admits any caller
    policy: authenticated
    claims: {oid: o5}
    request: GET /
    expect: allow
)";

TEST_F(PolicyTestFiles, passing_file_runs_every_case_and_exits_zero) {
  auto r = run(kPassing);
  EXPECT_TRUE(r.errors.empty()) << errors_of(r);
  ASSERT_EQ(r.cases.size(), 9u);
  for (const auto& c : r.cases) {
    EXPECT_TRUE(c.passed) << render_failure(c);
  }
  auto s = summarise({r});
  EXPECT_EQ(s.cases, 9u);
  EXPECT_EQ(s.failed, 0u);
  EXPECT_EQ(s.exit_status(), 0);
  EXPECT_EQ(render_report({r}), "9 cases, 0 failed\n");
}

TEST_F(PolicyTestFiles, failing_cases_name_the_mismatch_the_decision_and_the_trace) {
  auto r = run(R"(policy_files: [../openmrs.yaml]
cases:
  - name: ok
    policy: openmrs
    claims: {oid: o1, groups: [clinicians]}
    request: GET /openmrs/ws/rest/v1/patient/abc
    expect: allow
  - name: clinicians may not write
    policy: openmrs
    claims: {oid: o1, groups: [clinicians]}
    request: POST /openmrs/ws/rest/v1/patient/abc
    expect: allow
    rule: clinicians-read
    audit: patient
)");
  ASSERT_TRUE(r.errors.empty()) << errors_of(r);
  ASSERT_EQ(r.cases.size(), 2u);
  EXPECT_TRUE(r.cases[0].passed);
  const CaseResult& c = r.cases[1];
  EXPECT_FALSE(c.passed);
  EXPECT_EQ(c.line, 8);
  EXPECT_EQ(c.mismatches, (std::vector<std::string>{"expected allow, got deny",
                                                    "expected rule clinicians-read, got default_deny",
                                                    "expected audit: patient, got none"}));
  std::string text = render_failure(c);
  EXPECT_NE(text.find("FAIL " + dir_ + "/tests/openmrs_test.yaml:8: clinicians may not write\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  decision deny, no allow rule matched (default deny)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("    allow clinicians-read (" + dir_ +
                      "/openmrs.yaml:7): no match [audit: patient]\n"
                      "        failed: methods: [GET]\n"),
            std::string::npos)
      << text;
  auto s = summarise({r});
  EXPECT_EQ(s.failed, 1u);
  EXPECT_EQ(s.exit_status(), 1);
  std::string report = render_report({r});
  EXPECT_TRUE(report.ends_with("2 cases, 1 failed\n")) << report;
}

TEST_F(PolicyTestFiles, mistakes_are_reported_with_file_line_and_key_and_nothing_runs) {
  // Each case body replaces the marked lines of a valid one-case file.
  const std::string head = "policy_files: [../openmrs.yaml]\ncases:\n  - name: x\n";  // lines 1-3
  const std::string ok_claims = "    claims: {oid: o1, groups: [clinicians]}\n";
  struct Case {
    const char* name;
    std::string body;  // from line 4
    std::string wanted;
  };
  const std::string file = "openmrs_test.yaml:";
  const Case cases[] = {
      {"unknown_key",
       "    policy: openmrs\n" + ok_claims + "    request: GET /a\n    expect: deny\n    expcet: allow\n",
       file + "8: cases[0].expcet: unknown key"},
      {"bad_request_line", "    policy: openmrs\n" + ok_claims + "    request: /a GET\n    expect: deny\n",
       file + "6: cases[0].request: expected METHOD /path[?query], got '/a GET'"},
      {"lower_case_method", "    policy: openmrs\n" + ok_claims + "    request: get /a\n    expect: deny\n",
       file + "6: cases[0].request: expected METHOD /path[?query]"},
      {"path_the_proxy_refuses",
       "    policy: openmrs\n" + ok_claims + "    request: GET /a/../../b\n    expect: deny\n",
       file + "6: cases[0].request: the proxy refuses this path with 400 ('..' climbs above '/')"},
      {"unknown_policy", "    policy: opnemrs\n" + ok_claims + "    request: GET /a\n    expect: deny\n",
       file + "4: cases[0].policy: no policy named 'opnemrs' in the policy files"},
      {"unknown_expect", "    policy: openmrs\n" + ok_claims + "    request: GET /a\n    expect: denied\n",
       file + "7: cases[0].expect: expected allow, deny or justification_required, got 'denied'"},
      {"unknown_rule",
       "    policy: openmrs\n" + ok_claims + "    request: GET /a\n    expect: deny\n    rule: no-delet\n",
       file + "8: cases[0].rule: policy 'openmrs' has no rule named 'no-delet'"},
      {"unknown_auth",
       "    policy: openmrs\n" + ok_claims + "    auth: cookie\n    request: GET /a\n    expect: deny\n",
       file + "6: cases[0].auth: expected session, bearer or client_credentials, got 'cookie'"},
      {"bad_time",
       "    policy: openmrs\n" + ok_claims + "    request: GET /a\n    time: tomorrow\n    expect: deny\n",
       file + "7: cases[0].time: expected a time such as 2026-12-04T10:00:00Z, got 'tomorrow'"},
      {"bad_client",
       "    policy: openmrs\n" + ok_claims + "    request: GET /a\n    client: localhost\n    expect: deny\n",
       file + "7: cases[0].client: not an IP address: 'localhost'"},
      {"bad_audit",
       "    policy: openmrs\n" + ok_claims + "    request: GET /a\n    expect: deny\n    audit: yes\n",
       file + "8: cases[0].audit: expected patient or none, got 'yes'"},
      {"unknown_group_alias",
       "    policy: openmrs\n    claims:\n      oid: o1\n      groups:\n        - clinicians\n        - "
       "clincians\n"
       "    request: GET /a\n    expect: deny\n",
       file + "9: cases[0].claims.groups[1]: group 'clincians' is neither an object id nor an alias"},
      {"claims_missing", "    policy: openmrs\n    request: GET /a\n    expect: deny\n",
       file + "3: cases[0].claims: is required"},
      {"claims_not_a_mapping",
       "    policy: openmrs\n    claims: [oid]\n    request: GET /a\n    expect: deny\n",
       file + "5: cases[0].claims: expected a mapping of token claims"},
      {"expect_missing", "    policy: openmrs\n" + ok_claims + "    request: GET /a\n",
       file + "3: cases[0].expect: is required"},
  };
  for (const auto& c : cases) {
    auto r = run(head + c.body);
    EXPECT_TRUE(r.cases.empty()) << c.name;
    std::string errors = errors_of(r);
    EXPECT_NE(errors.find(c.wanted), std::string::npos) << c.name << ": wanted " << c.wanted << "\ngot:\n"
                                                        << errors;
    EXPECT_EQ(summarise({r}).exit_status(), 2) << c.name;
  }
}

TEST_F(PolicyTestFiles, file_level_mistakes) {
  struct Case {
    const char* name;
    std::string text;
    std::string wanted;
  };
  const std::string file = "openmrs_test.yaml";
  const Case cases[] = {
      {"syntax_error", "policy_files: [../openmrs.yaml\ncases: []\n", file + ":2: syntax error"},
      {"not_a_mapping", "- a\n- b\n", file + ": expected a mapping with policy_files and cases"},
      {"policy_files_missing", "cases:\n  - name: x\n", file + ":1: policy_files: is required"},
      {"policy_file_unreadable", "policy_files: [../nope.yaml]\ncases: []\n",
       file + ":1: policy_files: cannot read " + dir_ + "/nope.yaml"},
      {"cases_missing", "policy_files: [../openmrs.yaml]\n", file + ":1: cases: is required"},
      {"cases_empty", "policy_files: [../openmrs.yaml]\ncases: []\n", file + ":2: cases: is empty"},
      {"unknown_top_level_key", "policy_files: [../openmrs.yaml]\npolicy: openmrs\ncases: []\n",
       file + ":2: policy: unknown key"},
  };
  for (const auto& c : cases) {
    auto r = run(c.text);
    std::string errors = errors_of(r);
    EXPECT_NE(errors.find(c.wanted), std::string::npos) << c.name << ": wanted " << c.wanted << "\ngot:\n"
                                                        << errors;
    EXPECT_EQ(summarise({r}).exit_status(), 2) << c.name;
  }
}

TEST_F(PolicyTestFiles, errors_in_a_policy_file_name_that_file) {
  std::ofstream(dir_ + "/broken.yaml") << "policies:\n  p:\n    rules:\n      - allow: {groups: [nobody]}\n";
  auto r = run(
      "policy_files: [../broken.yaml]\ncases:\n  - {name: x, policy: p, claims: {oid: o}, request: GET /, "
      "expect: deny}\n");
  std::string errors = errors_of(r);
  EXPECT_NE(errors.find(dir_ + "/broken.yaml:4: policies.p.rules[0].allow.groups: group 'nobody'"),
            std::string::npos)
      << errors;
  EXPECT_TRUE(r.cases.empty());
}

TEST_F(PolicyTestFiles, groups_of_the_test_file_stand_for_the_configs_aliases) {
  // The config, not the policy file, defines `ops`: the test file says what it stands for.
  std::ofstream(dir_ + "/ops.yaml")
      << "policies:\n  ops:\n    rules:\n      - name: ops\n        allow: {groups: [ops]}\n";
  auto r = run(R"(groups:
  ops: 44444444-4444-4444-4444-444444444444
policy_files: [../ops.yaml]
cases:
  - {name: by alias, policy: ops, claims: {oid: o, groups: [ops]}, request: GET /, expect: allow, rule: ops}
  - {name: by id, policy: ops, claims: {oid: o, groups: [44444444-4444-4444-4444-444444444444]}, request: GET /,
     expect: allow}
)");
  ASSERT_TRUE(r.errors.empty()) << errors_of(r);
  ASSERT_EQ(r.cases.size(), 2u);
  EXPECT_TRUE(r.cases[0].passed) << render_failure(r.cases[0]);
  EXPECT_TRUE(r.cases[1].passed) << render_failure(r.cases[1]);
  auto bad = run("groups:\n  ops: not-a-guid\npolicy_files: [../ops.yaml]\ncases: []\n");
  EXPECT_NE(errors_of(bad).find("openmrs_test.yaml:2: groups.ops: expected a group object id"),
            std::string::npos)
      << errors_of(bad);
}

TEST_F(PolicyTestFiles, missing_test_file_is_an_error) {
  auto r = run_policy_tests(dir_ + "/none.yaml", hooks());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message, "cannot open the file");
  EXPECT_EQ(summarise({r}).exit_status(), 2);
}

TEST(Summary, errors_outrank_failures_across_files) {
  FileResult ok, failed, broken;
  ok.cases.push_back({});
  ok.cases.back().passed = true;
  failed.cases.push_back({});
  broken.errors.push_back({"f.yaml", 1, "cases", "is required"});
  EXPECT_EQ(summarise({ok}).exit_status(), 0);
  EXPECT_EQ(summarise({ok, failed}).exit_status(), 1);
  auto s = summarise({ok, failed, broken});
  EXPECT_EQ(s.exit_status(), 2);
  EXPECT_EQ(s.cases, 2u);
  EXPECT_EQ(s.failed, 1u);
  EXPECT_EQ(s.errors, 1u);
}

}  // namespace
}  // namespace vigie::authz
