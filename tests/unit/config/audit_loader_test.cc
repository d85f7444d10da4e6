// The `audit:` section (config::read_audit, config::check_audit) through config::load_string: typed
// streams and rules, defaults, and every mistake with its line and key; patient data served without
// an audit section is a config error.
#include "config/audit_loader.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>

#include "config/loader.h"

namespace vigie::config {
namespace {

const std::string kBase = R"(listeners: [{name: http, port: 8080}]
clusters: [{name: app, endpoints: ["http://127.0.0.1:9000"]}]
)";

struct Env {
  Env() { ::setenv("VIGIE_TEST_AUDIT_KEY", "0123456789abcdef0123456789abcdef-key", 1); }
};
const Env env;

core::Result<std::shared_ptr<const Config>, Errors> load(const std::string& routes, const std::string& audit) {
  return load_string(kBase + "routes:\n" + routes + audit, "vigie.yaml");
}

std::string all(const Errors& errors) {
  std::string out;
  for (const auto& e : errors) out += e.to_string() + "\n";
  return out;
}

const std::string kPublicRoute = "  - {id: r, path: {prefix: /}, cluster: app, auth: public}\n";
const std::string kAuditedRoute = "  - {id: r, path: {prefix: /}, cluster: app, auth: public, audit: patient}\n";

TEST(AuditLoader, streams_with_their_defaults) {
  auto c = load(kAuditedRoute, R"(access_log: {path: "off"}
audit:
  key: {env: VIGIE_TEST_AUDIT_KEY}
  patient: {sink: file, path: /var/log/vigie/patient.log}
  security: {sink: stdout}
)");
  ASSERT_TRUE(c) << all(c.error());
  const Audit& a = (*c)->audit;
  EXPECT_TRUE(a.enabled);
  EXPECT_EQ(a.patient.sink.type, AuditSinkType::File);
  EXPECT_EQ(a.patient.sink.path, "/var/log/vigie/patient.log");
  EXPECT_EQ(a.patient.durability, Durability::Sync);   // patient data: sync unless said otherwise
  EXPECT_EQ(a.patient.format, AuditFormat::Json);
  EXPECT_EQ(a.patient.sink.rotate_bytes, 256ull << 20);
  ASSERT_TRUE(a.security);
  EXPECT_EQ(a.security->sink.type, AuditSinkType::Stdout);
  EXPECT_EQ(a.security->durability, Durability::Async);  // security events: async unless said otherwise
  EXPECT_FALSE(a.patient_ids.empty());   // the OpenMRS defaults
  EXPECT_FALSE(a.redact_params.empty());
  EXPECT_TRUE((*c)->routes[0].audit_patient);
}

TEST(AuditLoader, loki_sink_fhir_format_rotation_and_own_rules) {
  auto c = load(kPublicRoute, R"(audit:
  key: {env: VIGIE_TEST_AUDIT_KEY}
  patient:
    sink: loki
    path: /var/spool/vigie/patient.log
    format: fhir
    rotate: {bytes: 1048576, every: 1h}
    loki: {url: "http://loki:3100", tenant: clinics, labels: {job: audit, site: lyon}, spool_bytes: 2097152}
  patient_ids:
    - {path: "/api/patients/<id>"}
    - {query: mrn, kind: identifier}
    - {query: who, prefix: "Patient/", path: "/api/**"}
  redact_params: [q]
)");
  ASSERT_TRUE(c) << all(c.error());
  const Audit& a = (*c)->audit;
  EXPECT_EQ(a.patient.sink.type, AuditSinkType::Loki);
  EXPECT_EQ(a.patient.format, AuditFormat::Fhir);
  EXPECT_EQ(a.patient.sink.rotate_bytes, 1048576u);
  EXPECT_EQ(a.patient.sink.rotate_every, std::chrono::hours(1));
  EXPECT_EQ(a.patient.sink.loki_url, "http://loki:3100");
  EXPECT_EQ(a.patient.sink.loki_tenant, "clinics");
  EXPECT_EQ(a.patient.sink.labels.at("site"), "lyon");
  EXPECT_EQ(a.patient.sink.spool_bytes, 2097152u);
  ASSERT_EQ(a.patient_ids.size(), 3u);
  EXPECT_EQ(a.patient_ids[0].source, PatientIdRule::Source::Path);
  EXPECT_EQ(a.patient_ids[1].kind, PatientIdRule::Kind::Identifier);
  EXPECT_EQ(a.patient_ids[2].param, "who");
  EXPECT_EQ(a.redact_params, std::vector<std::string>{"q"});
}

TEST(AuditLoader, mistakes_name_their_line_and_key) {
  struct Case {
    const char* name;
    std::string audit;
    std::string wanted;
  };
  const std::string key = "  key: {env: VIGIE_TEST_AUDIT_KEY}\n";
  const std::vector<Case> cases = {
      {"literal_key_refused", "audit:\n  key: secret\n  patient: {sink: stdout}\n", "audit.key"},
      {"short_key", "audit:\n  key: {env: HOME}\n  patient: {sink: stdout}\n", "the chain key needs at least 32"},
      {"patient_stream_required", "audit:\n" + key, "audit.patient: is required"},
      {"unknown_sink", "audit:\n" + key + "  patient: {sink: syslog}\n", "audit.patient.sink: expected file, stdout or loki"},
      {"file_needs_path", "audit:\n" + key + "  patient: {sink: file}\n", "audit.patient.path"},
      {"unknown_format", "audit:\n" + key + "  patient: {sink: stdout, format: xml}\n", "expected json or fhir"},
      {"unknown_durability", "audit:\n" + key + "  patient: {sink: stdout, durability: lazy}\n",
       "expected sync or async"},
      {"loki_needs_its_section", "audit:\n" + key + "  patient: {sink: loki, path: /s/p.log}\n",
       "audit.patient.loki: is required"},
      {"rule_without_id", "audit:\n" + key + "  patient: {sink: stdout}\n  patient_ids: [{path: /a/*}]\n",
       "exactly one '<id>'"},
      {"same_file_twice",
       "audit:\n" + key + "  patient: {sink: file, path: /a.log}\n  security: {sink: file, path: /a.log}\n",
       "audit.security.path"},
      {"unknown_key", "audit:\n" + key + "  patient: {sink: stdout}\n  colour: red\n", "audit.colour: unknown key"},
      {"stdout_shared_with_the_access_log", "audit:\n" + key + "  patient: {sink: file, path: /a.log}\n  security: {sink: stdout}\n",
       "only one of access_log and the audit streams may write to stdout"},
  };
  for (const auto& c : cases) {
    auto r = load(kPublicRoute, c.audit);
    ASSERT_FALSE(r) << c.name;
    EXPECT_NE(all(r.error()).find(c.wanted), std::string::npos) << c.name << ":\n" << all(r.error());
  }
}

TEST(AuditLoader, patient_data_without_an_audit_section_is_an_error) {
  auto r = load(kAuditedRoute, "");
  ASSERT_FALSE(r);
  EXPECT_NE(all(r.error()).find("routes[0].audit: the route serves patient data"), std::string::npos)
      << all(r.error());
  auto bad = load("  - {id: r, path: {prefix: /}, cluster: app, auth: public, audit: everything}\n", "");
  ASSERT_FALSE(bad);
  EXPECT_NE(all(bad.error()).find("expected patient"), std::string::npos);
}

}  // namespace
}  // namespace vigie::config
