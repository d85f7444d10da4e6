// The policy tools through the real binary: `vigie explain` on a config whose secrets and TLS key
// files do not exist on this machine (as on an operator's laptop), and `vigie policy test` with its
// exit statuses. Also: `vigie check` still reads the secrets.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "support/vigie_process.h"

namespace vigie::testing {
namespace {

const char* kConfig = R"(listeners:
  - name: https
    port: 0
    tls: {cert_file: /nonexistent/vigie/cert.pem, key_file: /nonexistent/vigie/key.pem}
clusters:
  - name: app
    endpoints: ["https://127.0.0.1:9"]
    tls: {ca_file: /nonexistent/vigie/upstream-ca.crt}
routes:
  - id: openmrs
    host: emr.example.org
    path: {prefix: /openmrs/}
    cluster: app
    auth: session
    policy: openmrs
  - id: api
    path: {prefix: /api/}
    cluster: app
    auth: bearer
    bearer: {audiences: ["api://vigie"], roles: [Api.Read]}
    policy: authenticated
  - id: health
    path: {exact: /health}
    cluster: app
    auth: public
identity:
  provider:
    issuer: https://login.example.org/tenant/v2.0
    client_id: vigie
    client_secret: {env: VIGIE_CLI_TEST_NEVER_SET}
  session:
    keys: {file: /nonexistent/vigie/cookie-keys}
authorization:
  policy_files: [policies/openmrs.yaml]
audit:
  key: {env: VIGIE_CLI_TEST_NEVER_SET}
  patient: {sink: file, path: /nonexistent/vigie/patient.log}
)";

const char* kPolicy = R"(groups:
  clinicians: 11111111-1111-1111-1111-111111111111
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
)";

const char* kClinician =
    R"({"oid": "0000-aaaa", "tid": "tenant", "preferred_username": "alice@clinic.example",
  "groups": ["11111111-1111-1111-1111-111111111111"], "roles": []})";

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir();
    std::filesystem::create_directories(dir_ + "/policies/tests");
    write("vigie.yaml", kConfig);
    write("policies/openmrs.yaml", kPolicy);
    write("alice.json", kClinician);
    write("app.json", R"({"oid": "svc", "tid": "tenant", "roles": ["Api.Read"]})");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ + "/" + name) << text;
  }

  // Runs `vigie <args>` from the temp dir; stdout and stderr together in `out`.
  int vigie(const std::string& args, std::string* out) const {
    return run_command("cd " + dir_ + " && env -u VIGIE_CLI_TEST_NEVER_SET " VIGIE_BINARY " " + args, out);
  }

  int explain(const std::string& claims, const std::string& request, std::string* out,
              const std::string& extra = "") const {
    return vigie("explain --config vigie.yaml --claims " + claims + " --request '" + request + "' " + extra,
                 out);
  }

  std::string dir_;
};

TEST_F(Cli, check_still_reads_the_secrets) {
  std::string out;
  EXPECT_EQ(vigie("check --config vigie.yaml", &out), 1) << out;
  EXPECT_NE(
      out.find(
          "identity.provider.client_secret.env: environment variable VIGIE_CLI_TEST_NEVER_SET is not set"),
      std::string::npos)
      << out;
  EXPECT_NE(out.find("listeners[0].tls.key_file: cannot read"), std::string::npos) << out;
  EXPECT_NE(out.find("clusters[0].tls.ca_file: cannot read"), std::string::npos) << out;
}

TEST_F(Cli, explain_allows_without_the_secrets_and_names_route_policy_rule_and_flags) {
  std::string out;
  int rc = explain("alice.json", "GET https://EMR.example.org:8443/openmrs/ws/rest/v1/./patient/abc?v=full",
                   &out, "--time 2026-12-04T10:00:00Z");
  EXPECT_EQ(rc, 0) << out;
  const std::string wanted[] = {
      "request   GET https://EMR.example.org:8443/openmrs/ws/rest/v1/./patient/abc?v=full\n",
      "          host emr.example.org, path /openmrs/ws/rest/v1/patient/abc, query v=full\n",
      "route     openmrs (vigie.yaml:10), auth session\n",
      "policy    openmrs (policies/openmrs.yaml:5): OpenMRS for clinicians\n",
      "caller    alice@clinic.example (session)\n",
      "          oid 0000-aaaa, tid tenant\n",
      "          groups clinicians (11111111-1111-1111-1111-111111111111)\n",
      "          client 127.0.0.1, time 2026-12-04T10:00:00Z\n",
      "decision  ALLOW (200)\n",
      "          rule clinicians-read (policies/openmrs.yaml:7)\n",
      "          audit: patient\n",
      "  deny  no-delete (policies/openmrs.yaml:13): no match\n",
      "  allow clinicians-read (policies/openmrs.yaml:7): MATCH [audit: patient]\n",
  };
  for (const auto& w : wanted)
    EXPECT_NE(out.find(w), std::string::npos) << "missing: " << w << "\nin:\n" << out;
}

TEST_F(Cli, explain_exit_status_table) {
  struct Case {
    const char* name;
    const char* claims;
    const char* request;
    const char* extra;
    int exit;
    const char* wanted;
  };
  const Case cases[] = {
      {"deny_rule_decides", "alice.json", "DELETE https://emr.example.org/openmrs/ws/rest/v1/patient/abc", "",
       3, "decision  DENY (403)\n          rule no-delete"},
      {"default_deny", "alice.json", "POST https://emr.example.org/openmrs/ws/rest/v1/patient/abc", "", 3,
       "rule none: no allow rule matched (default deny)"},
      {"public_route_has_no_policy", "alice.json", "GET https://any.example.org/health", "", 0,
       "policy    none (public route)"},
      {"no_route_is_404", "alice.json", "GET https://other.example.org/openmrs/x", "", 3,
       "decision  NOT FOUND (404)"},
      {"path_above_root_is_400", "alice.json", "GET https://emr.example.org/openmrs/../../etc", "", 3,
       "decision  BAD REQUEST (400)"},
      {"session_on_a_bearer_route_is_401", "app.json", "GET https://x.example.org/api/v1", "", 3,
       "decision  UNAUTHENTICATED (401)"},
      {"bearer_with_the_route_role_is_allowed", "app.json", "GET https://x.example.org/api/v1",
       "--auth client_credentials", 0, "caller    svc (client_credentials)"},
      {"bearer_without_the_route_role_is_403", "alice.json", "GET https://x.example.org/api/v1",
       "--auth bearer", 3, "requires role Api.Read"},
      {"login_endpoint_is_vigies_own", "alice.json", "GET https://emr.example.org/oauth2/start", "", 0,
       "decision  VIGIE ENDPOINT (200)"},
  };
  for (const auto& c : cases) {
    std::string out;
    EXPECT_EQ(explain(c.claims, c.request, &out, c.extra), c.exit) << c.name << "\n" << out;
    EXPECT_NE(out.find(c.wanted), std::string::npos) << c.name << ": wanted " << c.wanted << "\n" << out;
  }
}

TEST_F(Cli, explain_json_is_one_object) {
  std::string out;
  EXPECT_EQ(
      explain("alice.json", "GET https://emr.example.org/openmrs/ws/rest/v1/patient/abc", &out, "--json"), 0);
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["decision"], "allow");
  EXPECT_EQ(j["route"]["id"], "openmrs");
  EXPECT_EQ(j["rule"]["name"], "clinicians-read");
  EXPECT_EQ(j["rule"]["line"], 7);
  EXPECT_EQ(j["audit"], "patient");
  EXPECT_EQ(j["caller"]["groups"][0]["alias"], "clinicians");
  EXPECT_EQ(j["rules"].size(), 2u);
}

TEST_F(Cli, explain_usage_and_config_errors_exit_2) {
  write("broken.yaml", std::string(kConfig) + "  unknown_setting: true\n");
  write("not-json.json", "{oid: 1");
  struct Case {
    const char* name;
    std::string args;
    std::string wanted;
  };
  const Case cases[] = {
      {"config_error_is_file_line_key_message",
       "explain --config broken.yaml --claims alice.json --request 'GET https://h/'",
       "broken.yaml:38: audit.unknown_setting: unknown key"},
      {"missing_request", "explain --config vigie.yaml --claims alice.json", "--request are required"},
      {"bad_request_line", "explain --config vigie.yaml --claims alice.json --request '/openmrs GET'",
       "--request: expected 'METHOD http[s]://host[:port]/path[?query]'"},
      {"bad_claims", "explain --config vigie.yaml --claims not-json.json --request 'GET https://h/'",
       "not-json.json: claims: not valid JSON"},
      {"bad_time", "explain --config vigie.yaml --claims alice.json --request 'GET https://h/' --time noon",
       "--time: expected a time"},
      {"bad_auth", "explain --config vigie.yaml --claims alice.json --request 'GET https://h/' --auth cookie",
       "--auth: expected session, bearer or client_credentials"},
      {"policy_without_test", "policy", "usage:"},
      {"policy_test_without_files", "policy test", "usage: vigie policy test FILE..."},
  };
  for (const auto& c : cases) {
    std::string out;
    EXPECT_EQ(vigie(c.args, &out), 2) << c.name << "\n" << out;
    EXPECT_NE(out.find(c.wanted), std::string::npos) << c.name << ": wanted " << c.wanted << "\n" << out;
  }
}

TEST_F(Cli, policy_test_exit_statuses_and_summary) {
  const std::string head = "policy_files: [../openmrs.yaml]\ncases:\n";
  write("policies/tests/pass.yaml", head + R"(  - name: clinician reads
    policy: openmrs
    claims: {oid: o1, groups: [clinicians]}
    request: GET /openmrs/ws/rest/v1/patient/abc
    expect: allow
    rule: clinicians-read
    audit: patient
)");
  write("policies/tests/fail.yaml", head + R"(  - name: clinician deletes
    policy: openmrs
    claims: {oid: o1, groups: [clinicians]}
    request: DELETE /openmrs/ws/rest/v1/patient/abc
    expect: allow
)");
  write("policies/tests/error.yaml", head + R"(  - name: typo
    policy: openmrs
    claims: {oid: o1}
    request: GET /x
    expect: alow
)");
  std::string out;
  EXPECT_EQ(vigie("policy test policies/tests/pass.yaml", &out), 0) << out;
  EXPECT_EQ(out, "1 cases, 0 failed\n");
  out.clear();
  EXPECT_EQ(vigie("policy test policies/tests/pass.yaml policies/tests/fail.yaml", &out), 1) << out;
  EXPECT_NE(out.find("FAIL policies/tests/fail.yaml:3: clinician deletes\n"), std::string::npos) << out;
  EXPECT_NE(out.find("  expected allow, got deny\n"), std::string::npos) << out;
  EXPECT_NE(out.find("  decision deny, rule no-delete (policies/openmrs.yaml:13)\n"), std::string::npos)
      << out;
  EXPECT_TRUE(out.ends_with("2 cases, 1 failed\n")) << out;
  out.clear();
  EXPECT_EQ(vigie("policy test policies/tests/pass.yaml policies/tests/error.yaml", &out), 2) << out;
  EXPECT_NE(
      out.find(
          "policies/tests/error.yaml:7: cases[0].expect: expected allow, deny or justification_required"),
      std::string::npos)
      << out;
}

}  // namespace
}  // namespace vigie::testing
