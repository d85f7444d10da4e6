// The audit trail through the real binary with real logins (the Entra-shaped provider): one record
// per patient-data request with the right user and patient, refused requests recorded, break glass
// with its justification, security events, the chain checked by `vigie audit verify`, 503 when the
// trail cannot write, and no record lost when the process is killed under load.
#include <sys/wait.h>

#include <atomic>
#include <condition_variable>
#include <set>
#include <filesystem>
#include <mutex>
#include <thread>

#include "integration/identity_harness.h"

namespace vigie::testing {
namespace {

const std::string kPatient = "8673ee4f-e2ab-4077-ba55-4980f408773e";

// alice: groups 1-3 and app role Vigie.Admin (a clinician); bob: group 4 (front desk).
const std::string kPolicies = R"(groups:
  clinicians: 6b1e0000-0000-4000-8000-000000000001
  front-desk: 6b1e0000-0000-4000-8000-000000000004
policies:
  chart:
    rules:
      - name: clinicians-read
        allow: {groups: [clinicians], methods: [GET, HEAD], paths: ["/openmrs/ws/rest/v1/patient/**", "/openmrs/ws/fhir2/R4/**"]}
        audit: patient
      - name: front-desk-concepts
        allow: {groups: [front-desk], paths: ["/openmrs/ws/rest/v1/concept/**"]}
      - name: emergency
        break_glass: true
        allow: {roles: [Vigie.Admin], paths: ["/openmrs/ws/rest/v1/obs/**"]}
        audit: patient
    patient_data: ["/openmrs/ws/rest/v1/{patient,obs}/**", "/openmrs/ws/fhir2/R4/**"]
)";

const std::string kRoutes = R"(  - id: openmrs
    path: {prefix: /openmrs/}
    cluster: app
    auth: session
    policy: chart
  - id: home
    path: {prefix: /home}
    cluster: app
    auth: session
    policy: authenticated
)";

const Headers kJson = {{"Accept", "application/json"}};

std::string top_config(const std::string& policy_dir, const std::string& patient_path) {
  return "authorization:\n  policy_files: [" + policy_dir + "/policies.yaml]\n"
         "audit:\n"
         "  key: {file: {dir}/audit-key}\n"
         "  patient: {sink: file, path: " + patient_path + ", durability: sync}\n"
         "  security: {sink: file, path: {dir}/security.log, durability: async}\n";
}

std::vector<nlohmann::json> records(const std::string& file) {
  std::vector<nlohmann::json> out;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line + ""));
  return out;
}

std::vector<nlohmann::json> with(const std::vector<nlohmann::json>& all, const std::string& key,
                                 const std::string& value) {
  std::vector<nlohmann::json> out;
  for (const auto& r : all) {
    if (r.contains(key) && r[key] == value) out.push_back(r);
  }
  return out;
}

struct CliRun {
  int status = -1;
  std::string out;
};

CliRun run_vigie(const std::string& args) {
  CliRun r;
  FILE* p = ::popen((std::string(VIGIE_BINARY) + " " + args + " 2>&1").c_str(), "r");
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) r.out.append(buf, n);
  int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

class Audit : public ::testing::Test {
 protected:
  explicit Audit(const std::string& patient_path = "{dir}/patient.log")
      : bed(kRoutes, "", "", top_config(policy_dir, patient_path)) {}
  ~Audit() override { std::filesystem::remove_all(policy_dir); }

  static std::string written_policies() {
    std::string dir = make_temp_dir();
    std::ofstream(dir + "/policies.yaml") << kPolicies;
    return dir;
  }

  // Signs in through a route that is not patient data.
  void login(const std::string& user) {
    bed.provider->next_login(user);
    ASSERT_EQ(browser.follow(bed.url("/home")).result_int(), 200u);
    oid = nlohmann::json::parse(browser.get(bed.url("/oauth2/userinfo"), kJson).body())["oid"];
  }
  std::string patient_log() const { return bed.dir + "/patient.log"; }
  std::string security_log() const { return bed.dir + "/security.log"; }

  std::string policy_dir = written_policies();
  IdentityBed bed;
  Browser browser;
  std::string oid;
};

TEST_F(Audit, a_patient_read_gets_exactly_one_record_naming_user_and_patient) {
  login("alice");
  Response r = browser.get(bed.url("/openmrs/ws/rest/v1/patient/" + kPatient + "?v=full"), kJson);
  ASSERT_EQ(r.result_int(), 200u);
  // Sync durability: the record is on disk before the response left, so no wait is needed here.
  auto mine = with(records(patient_log()), "request_id", std::string(r["X-Request-Id"]));
  ASSERT_EQ(mine.size(), 1u);
  const auto& rec = mine[0];
  EXPECT_EQ(rec["kind"], "patient_access");
  EXPECT_EQ(rec["user"]["oid"], oid);
  EXPECT_EQ(rec["user"]["username"], "alice@contoso.test");
  EXPECT_EQ(rec["auth"], "session");
  EXPECT_EQ(rec["patients"][0]["id"], kPatient);
  EXPECT_EQ(rec["action"], "read");
  EXPECT_EQ(rec["outcome"], "allowed");
  EXPECT_EQ(rec["reason"], "clinicians-read");
  EXPECT_EQ(rec["status"], 200);
  EXPECT_EQ(rec["route"], "openmrs");
  EXPECT_EQ(rec["client"], "127.0.0.1");
  EXPECT_TRUE(rec.contains("session"));
  // The sign-in went through /home, which is no patient data: nothing else was recorded for alice.
  EXPECT_EQ(with(records(patient_log()), "kind", "patient_access").size(), 1u);
}

TEST_F(Audit, a_fhir_search_records_its_patient_and_redacted_query) {
  login("alice");
  Response r = browser.get(bed.url("/openmrs/ws/fhir2/R4/Observation?subject=Patient/" + kPatient +
                                   "&code=5089-8&name=Martin"),
                           kJson);
  ASSERT_EQ(r.result_int(), 200u);
  auto mine = with(records(patient_log()), "request_id", std::string(r["X-Request-Id"]));
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0]["action"], "search");
  EXPECT_EQ(mine[0]["patients"][0]["id"], kPatient);
  EXPECT_EQ(mine[0]["patients"][0]["source"], "subject");
  EXPECT_EQ(mine[0]["query"].get<std::string>().find("Martin"), std::string::npos) << mine[0]["query"];
}

TEST_F(Audit, a_refused_read_is_recorded_and_raises_a_security_event) {
  login("bob");
  size_t before = bed.upstream.count();
  Response r = browser.get(bed.url("/openmrs/ws/rest/v1/patient/" + kPatient), kJson);
  ASSERT_EQ(r.result_int(), 403u);
  EXPECT_EQ(bed.upstream.count(), before);
  auto mine = with(records(patient_log()), "request_id", std::string(r["X-Request-Id"]));
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0]["outcome"], "denied");
  EXPECT_EQ(mine[0]["reason"], "default_deny");
  EXPECT_EQ(mine[0]["status"], 403);
  EXPECT_EQ(mine[0]["user"]["oid"], oid);
  // The security stream is async: wait (bounded) for its writer to have written the event.
  bed.vigie->wait_metric("vigie_audit_total{kind=\"records\",stream=\"security\"}", 2);
  auto events = with(records(security_log()), "request_id", std::string(r["X-Request-Id"]));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["event"], "policy_denied");
}

TEST_F(Audit, an_unauthenticated_patient_read_is_recorded_without_a_user) {
  Response r = browser.get(bed.url("/openmrs/ws/rest/v1/patient/" + kPatient), kJson);
  ASSERT_EQ(r.result_int(), 401u);
  auto mine = with(records(patient_log()), "request_id", std::string(r["X-Request-Id"]));
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0]["outcome"], "unauthenticated");
  EXPECT_FALSE(mine[0].contains("user"));
  EXPECT_EQ(mine[0]["patients"][0]["id"], kPatient);
}

TEST_F(Audit, break_glass_is_recorded_with_its_justification) {
  login("alice");
  const std::string why = "Patient unconscious in the waiting room, allergies needed";
  Response r = browser.get(bed.url("/openmrs/ws/rest/v1/obs/o1?patient=" + kPatient),
                           {{"Accept", "application/json"}, {"X-Vigie-Justification", why}});
  ASSERT_EQ(r.result_int(), 200u);
  EXPECT_FALSE(bed.upstream.requests().back().header("X-Vigie-Justification"));
  auto mine = with(records(patient_log()), "request_id", std::string(r["X-Request-Id"]));
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0]["outcome"], "break_glass");
  EXPECT_EQ(mine[0]["justification"], why);
  EXPECT_EQ(mine[0]["reason"], "emergency");
  bed.vigie->wait_metric("vigie_audit_total{kind=\"records\",stream=\"security\"}", 2);
  auto events = with(records(security_log()), "event", "break_glass");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["justification"], why);
}

TEST_F(Audit, the_chain_verifies_and_a_tampered_record_is_found) {
  login("alice");
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(browser.get(bed.url("/openmrs/ws/rest/v1/patient/" + kPatient), kJson).result_int(), 200u);
  }
  std::string key = bed.dir + "/audit-key";
  CliRun ok = run_vigie("audit verify --key-file " + key + " " + patient_log());
  EXPECT_EQ(ok.status, 0) << ok.out;
  EXPECT_NE(ok.out.find("chain intact"), std::string::npos) << ok.out;
  // Someone edits the third line (the second read) to hide which patient was opened.
  std::string copy = bed.dir + "/tampered.log";
  {
    std::ifstream in(patient_log());
    std::ofstream out(copy);
    int n = 0;
    for (std::string line; std::getline(in, line);) {
      if (++n == 3) line.replace(line.find(kPatient), kPatient.size(), "00000000-0000-0000-0000-000000000000");
      out << line << "\n";
    }
  }
  CliRun broken = run_vigie("audit verify --key-file " + key + " " + copy);
  EXPECT_EQ(broken.status, 1) << broken.out;
  EXPECT_NE(broken.out.find("tampered.log:3:"), std::string::npos) << broken.out;
}

TEST_F(Audit, forward_auth_records_the_described_patient_request) {
  login("alice");
  std::string cookie = browser.cookie_header(bed.url("/"));
  size_t before = bed.upstream.count();
  auto r = http_request(bed.vigie->port(), "GET", "/oauth2/auth",
                        "X-Original-URL: http://127.0.0.1/openmrs/ws/rest/v1/patient/" + kPatient +
                            "?v=full\r\nX-Original-Method: GET\r\nCookie: " + cookie + "\r\n");
  ASSERT_EQ(r->result_int(), 200u);
  EXPECT_EQ(bed.upstream.count(), before);  // the ingress serves it, not Vigie
  auto mine = with(records(patient_log()), "request_id", std::string((*r)["X-Request-Id"]));
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0]["path"], "/openmrs/ws/rest/v1/patient/" + kPatient);
  EXPECT_EQ(mine[0]["patients"][0]["id"], kPatient);
  EXPECT_EQ(mine[0]["route"], "openmrs");
  EXPECT_EQ(mine[0]["outcome"], "allowed");
  EXPECT_EQ(mine[0]["user"]["oid"], oid);
  // A refusal's security event names the described request, not /oauth2/auth.
  auto refused = http_request(bed.vigie->port(), "GET", "/oauth2/auth",
                              "X-Original-URL: http://127.0.0.1/openmrs/ws/rest/v1/concept/c1\r\nCookie: " + cookie +
                                  "\r\n");
  ASSERT_EQ(refused->result_int(), 403u);
  bed.vigie->wait_metric("vigie_audit_total{kind=\"records\",stream=\"security\"}", 2);
  auto events = with(records(security_log()), "request_id", std::string((*refused)["X-Request-Id"]));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["event"], "policy_denied");
  EXPECT_EQ(events[0]["path"], "/openmrs/ws/rest/v1/concept/c1");
  // A described request that is no patient data leaves no record.
  auto home = http_request(bed.vigie->port(), "GET", "/oauth2/auth",
                           "X-Original-URL: http://127.0.0.1/home\r\nCookie: " + cookie + "\r\n");
  ASSERT_EQ(home->result_int(), 200u);
  EXPECT_TRUE(with(records(patient_log()), "request_id", std::string((*home)["X-Request-Id"])).empty());
}

class AuditSinkFailure : public Audit {
 protected:
  AuditSinkFailure() : Audit("/dev/full") {}
};

TEST_F(AuditSinkFailure, patient_data_is_refused_with_503_and_other_routes_keep_working) {
  login("alice");  // through /home: not patient data
  size_t before = bed.upstream.count();
  Response r = browser.get(bed.url("/openmrs/ws/rest/v1/patient/" + kPatient), kJson);
  EXPECT_EQ(r.result_int(), 503u);
  EXPECT_EQ(nlohmann::json::parse(r.body())["error"], "audit_unavailable");
  EXPECT_EQ(bed.upstream.count(), before);  // nothing was forwarded without its record
  EXPECT_EQ(browser.get(bed.url("/home"), kJson).result_int(), 200u);
  EXPECT_GE(bed.vigie->metric("vigie_audit_refused_requests_total"), 1);
  EXPECT_EQ(bed.vigie->metric("vigie_audit_state{kind=\"healthy\",stream=\"patient\"}"), 0);
}

// SIGKILL under load: every 2xx response a client received has its record in the trail.
TEST_F(Audit, a_killed_process_loses_no_record_of_a_response_a_client_saw) {
  login("alice");
  std::string cookie = "Accept: application/json\r\nCookie: " + browser.cookie_header(bed.url("/")) + "\r\n";
  std::mutex mu;
  std::condition_variable grew;
  std::vector<std::string> seen;
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int c = 0; c < 8; ++c) {
    clients.emplace_back([&] {
      while (!stop) {
        std::optional<Response> r;
        try {
          r = http_request(bed.port, "GET", "/openmrs/ws/rest/v1/patient/" + kPatient, cookie);
        } catch (const std::exception&) {  // connection refused: the process is gone
          continue;
        }
        if (!r) continue;  // the process died mid-request: that response was never seen
        if (r->result_int() == 200) {
          std::lock_guard lk(mu);
          seen.push_back(std::string((*r)["X-Request-Id"]));
          grew.notify_one();
        }
      }
    });
  }
  {  // enough responses seen that the kill lands under load
    std::unique_lock lk(mu);
    ASSERT_TRUE(grew.wait_for(lk, std::chrono::seconds(60), [&] { return seen.size() >= 300; }));
  }
  ::kill(bed.vigie->pid(), SIGKILL);
  bed.vigie->wait_exit(std::chrono::seconds(10));
  stop = true;
  for (auto& t : clients) t.join();
  std::set<std::string> recorded;
  std::ifstream in(patient_log());
  for (std::string line; std::getline(in, line);) {
    if (in.eof()) break;  // a torn last line: never acknowledged
    auto j = nlohmann::json::parse(line);
    if (j.contains("request_id")) recorded.insert(j["request_id"].get<std::string>());
  }
  size_t missing = 0;
  for (const auto& id : seen) missing += recorded.count(id) == 0;
  EXPECT_EQ(missing, 0u) << "of " << seen.size() << " responses seen";
  CliRun verify = run_vigie("audit verify --key-file " + bed.dir + "/audit-key " + patient_log());
  EXPECT_EQ(verify.status, 0) << verify.out;
}

}  // namespace
}  // namespace vigie::testing
