// Authorization through the real binary with real logins (the Entra-shaped provider): who passes a
// route's policy, who gets a 403 (page or JSON), unauthenticated callers, break glass, claims kept
// in sessions, decisions in metrics, and forward-auth judged by the described route's policy.
// Asserts what the client got and what the upstream received.
#include <filesystem>

#include "integration/identity_harness.h"

namespace vigie::testing {
namespace {

// alice: groups 1, 2, 3 and app role Vigie.Admin; bob: group 4 (see standard_tenant).
const std::string kPolicies = R"(groups:
  clinicians: 6b1e0000-0000-4000-8000-000000000001
  front-desk: 6b1e0000-0000-4000-8000-000000000004
policies:
  chart:
    rules:
      - name: clinicians-read
        allow: {groups: [clinicians], methods: [GET, HEAD], paths: [/openmrs/ws/rest/v1/patient/**]}
        audit: patient
      - name: front-desk-registration
        allow: {groups: [front-desk], methods: [POST], paths: [/openmrs/ws/rest/v1/patient]}
      - name: no-delete
        deny: {methods: [DELETE]}
      - name: emergency
        break_glass: true
        allow: {roles: [Vigie.Admin], paths: [/openmrs/ws/rest/v1/obs/**]}
        audit: patient
  services:
    rules:
      - name: daemon
        allow: {auth: [client_credentials], roles: [Vigie.Api.Call]}
  by-name:
    rules:
      - name: alice-by-name
        allow: {claims: {name: Alice Martin}}
)";

const std::string kRoutes = R"(  - id: openmrs
    path: {prefix: /openmrs/}
    cluster: app
    auth: session
    policy: chart
  - id: api
    path: {prefix: /api/}
    cluster: app
    auth: bearer
    policy: services
    bearer: {audiences: ["api://vigie"]}
  - id: named
    path: {prefix: /named/}
    cluster: app
    auth: session
    policy: by-name
)";

const Headers kJson = {{"Accept", "application/json"}};

std::string written_policies() {
  std::string dir = make_temp_dir();
  std::ofstream(dir + "/policies.yaml") << kPolicies;
  return dir;
}

class Authz : public ::testing::Test {
 protected:
  ~Authz() override { std::filesystem::remove_all(policy_dir); }

  std::string policy_dir = written_policies();  // before the bed, which loads it
  IdentityBed bed{kRoutes, "", "",
                  "trusted_proxies: [127.0.0.1/32]\nauthorization:\n  policy_files: [" + policy_dir +
                      "/policies.yaml]\naudit:\n  key: {file: {dir}/audit-key}\n"
                      "  patient: {sink: file, path: {dir}/patient.log}\n"};
  Browser browser;

  void login(const std::string& user) {
    bed.provider->next_login(user);
    ASSERT_EQ(browser.follow(bed.url("/openmrs/ws/rest/v1/patient/p1")).result_int(),
              user == "alice" ? 200u : 403u);
  }
  // One line of the Prometheus text with all these fragments; its value, or -1.
  double metric(const std::vector<std::string>& fragments) {
    std::string text = http_request(bed.vigie->admin_port(), "GET", "/metrics")->body();
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
      bool all = std::all_of(fragments.begin(), fragments.end(),
                             [&](const auto& f) { return line.find(f) != std::string::npos; });
      if (all && !line.starts_with("#")) return std::stod(line.substr(line.rfind(' ') + 1));
    }
    return -1;
  }
};

TEST_F(Authz, clinician_reads_a_chart_and_the_upstream_sees_who) {
  login("alice");
  auto seen = bed.upstream.requests().back();
  EXPECT_EQ(seen.target, "/openmrs/ws/rest/v1/patient/p1");
  EXPECT_EQ(seen.header("X-Forwarded-User"), "alice@contoso.test");
  EXPECT_EQ(metric({"vigie_authz_decisions_total{", "reason=\"clinicians-read\"", "result=\"allow\"",
                    "route=\"openmrs\""}),
            1);
}

TEST_F(Authz, refused_browser_gets_a_403_page_in_its_language_without_policy_internals) {
  login("alice");
  size_t before = bed.upstream.count();
  Response r = browser.get(bed.url("/openmrs/ws/rest/v1/encounter/e1"), {{"Accept-Language", "fr-FR,fr;q=0.9"}});
  EXPECT_EQ(r.result_int(), 403u);
  EXPECT_EQ(r[boost::beast::http::field::content_type], "text/html; charset=utf-8");
  EXPECT_NE(r.body().find("n'est pas autorisé"), std::string::npos) << r.body();
  EXPECT_NE(r.body().find(std::string(r["X-Request-Id"])), std::string::npos);
  EXPECT_EQ(r.body().find("default_deny"), std::string::npos);
  EXPECT_EQ(r.body().find("clinicians"), std::string::npos);
  EXPECT_EQ(bed.upstream.count(), before);
  EXPECT_EQ(metric({"vigie_authz_decisions_total{", "reason=\"default_deny\"", "route=\"openmrs\""}), 1);
}

TEST_F(Authz, deny_rule_wins_and_api_clients_get_json) {
  login("alice");
  auto r = http_request(bed.vigie->port(), "DELETE", "/openmrs/ws/rest/v1/patient/p1",
                        "Accept: application/json\r\nCookie: " + browser.cookie_header(bed.url("/")) + "\r\n");
  EXPECT_EQ(r->result_int(), 403u);
  EXPECT_EQ(nlohmann::json::parse(r->body())["error"], "policy_denied");
  EXPECT_EQ(metric({"vigie_authz_decisions_total{", "reason=\"no-delete\"", "result=\"deny\""}), 1);
}

TEST_F(Authz, another_group_gets_only_what_its_rule_allows) {
  login("bob");  // front desk: the chart read is refused (asserted in login)
  auto post = http_request(bed.vigie->port(), "POST", "/openmrs/ws/rest/v1/patient",
                           "Content-Type: application/json\r\nCookie: " +
                               browser.cookie_header(bed.url("/")) + "\r\n",
                           "{}");
  EXPECT_EQ(post->result_int(), 200u);
  EXPECT_EQ(bed.upstream.requests().back().method, "POST");
}

TEST_F(Authz, unauthenticated_callers_are_sent_to_sign_in_or_get_401_never_403) {
  Response page = browser.get(bed.url("/openmrs/ws/rest/v1/patient/p1"));
  EXPECT_EQ(page.result_int(), 302u);
  Response api = browser.get(bed.url("/openmrs/ws/rest/v1/patient/p1"), kJson);
  EXPECT_EQ(api.result_int(), 401u);
  EXPECT_EQ(bed.upstream.count(), 0u);
}

TEST_F(Authz, break_glass_needs_a_justification_which_the_upstream_never_sees) {
  login("alice");
  Response without = browser.get(bed.url("/openmrs/ws/rest/v1/obs/o1"), kJson);
  EXPECT_EQ(without.result_int(), 403u);
  EXPECT_EQ(nlohmann::json::parse(without.body())["error"], "justification_required");
  Headers with = kJson;
  with.emplace_back("X-Vigie-Justification", "patient unconscious in the waiting room");
  Response granted = browser.get(bed.url("/openmrs/ws/rest/v1/obs/o1"), with);
  EXPECT_EQ(granted.result_int(), 200u);
  auto seen = bed.upstream.requests().back();
  EXPECT_EQ(seen.target, "/openmrs/ws/rest/v1/obs/o1");
  EXPECT_FALSE(seen.header("X-Vigie-Justification"));
  EXPECT_EQ(metric({"vigie_break_glass_total{", "route=\"openmrs\""}), 1);
  EXPECT_EQ(metric({"vigie_authz_decisions_total{", "reason=\"justification_required\"", "route=\"openmrs\""}), 1);
}

TEST_F(Authz, a_claim_policies_test_is_kept_in_the_session) {
  login("alice");
  EXPECT_EQ(browser.get(bed.url("/named/x")).result_int(), 200u);
  Browser other;
  bed.provider->next_login("bob");
  EXPECT_EQ(other.follow(bed.url("/named/x")).result_int(), 403u);
}

TEST_F(Authz, service_principal_passes_by_auth_method_and_role) {
  std::string token = bed.provider->client_credentials_token("daemon", "daemon-secret", "api://vigie/.default");
  auto ok = http_request(bed.vigie->port(), "GET", "/api/x", "Authorization: Bearer " + token + "\r\n");
  EXPECT_EQ(ok->result_int(), 200u);
  EXPECT_EQ(metric({"vigie_authz_decisions_total{", "reason=\"daemon\"", "route=\"api\""}), 1);
}

TEST_F(Authz, forward_auth_applies_the_described_routes_policy) {
  login("alice");
  std::string cookie = browser.cookie_header(bed.url("/"));
  auto ask = [&](const std::string& uri) {
    return http_request(bed.vigie->port(), "GET", "/oauth2/auth",
                        "X-Forwarded-Method: GET\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: 127.0.0.1\r\n"
                        "X-Forwarded-Uri: " + uri + "\r\nCookie: " + cookie + "\r\n")
        ->result_int();
  };
  EXPECT_EQ(ask("/openmrs/ws/rest/v1/patient/p1"), 200u);
  EXPECT_EQ(ask("/openmrs/ws/rest/v1/encounter/e1"), 403u);
  EXPECT_EQ(ask("/nowhere"), 403u);  // no route, no policy: refused
  auto nginx = http_request(bed.vigie->port(), "GET", "/oauth2/auth",
                            "X-Original-URL: http://127.0.0.1/openmrs/ws/rest/v1/patient/p1\r\n"
                            "X-Original-Method: DELETE\r\nCookie: " + cookie + "\r\n");
  EXPECT_EQ(nginx->result_int(), 403u);
  // Envoy's check request carries the original method itself: a DELETE is judged as one.
  auto envoy = http_request(bed.vigie->port(), "DELETE", "/oauth2/auth/openmrs/ws/rest/v1/patient/p1",
                            "Cookie: " + cookie + "\r\n");
  EXPECT_EQ(envoy->result_int(), 403u);
  EXPECT_EQ(http_request(bed.vigie->port(), "GET", "/oauth2/auth/openmrs/ws/rest/v1/patient/p1",
                         "Cookie: " + cookie + "\r\n")
                ->result_int(),
            200u);
  // Traefik passes the client's headers on: an X-Original-Method beside its X-Forwarded-* is ignored.
  auto spoofed = http_request(bed.vigie->port(), "GET", "/oauth2/auth",
                              "X-Forwarded-Method: DELETE\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: 127.0.0.1\r\n"
                              "X-Forwarded-Uri: /openmrs/ws/rest/v1/patient/p1\r\nX-Original-Method: GET\r\n"
                              "X-Original-URL: http://127.0.0.1/openmrs/ws/rest/v1/patient/p1\r\nCookie: " +
                                  cookie + "\r\n");
  EXPECT_EQ(spoofed->result_int(), 403u);
}

TEST_F(Authz, an_encoded_slash_cannot_hide_a_path_from_the_policy) {
  login("alice");
  Response r = browser.get(bed.url("/openmrs/ws/rest/v1/patient%2Fp1"), kJson);
  EXPECT_EQ(r.result_int(), 400u);
}

}  // namespace
}  // namespace vigie::testing
