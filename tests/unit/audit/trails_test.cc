// The process's trails opened from config: one file per stream, each chain opened by its
// audit_started record, security events in the patient file when no security stream is given, and
// the format a trail encodes with.
#include "audit/trails.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "support/scratch_dir.h"

namespace vigie::audit {
namespace {
namespace fs = std::filesystem;

using Dir = testing::ScratchDir;

std::vector<std::string> lines(const fs::path& p) {
  std::vector<std::string> out;
  std::ifstream in(p);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

config::Audit audit_config(const Dir& d, bool separate_security) {
  config::Audit a;
  a.enabled = true;
  a.key = config::Secret{"test", "0123456789abcdef0123456789abcdef"};
  a.patient.sink.path = (d.path / "patient.log").string();
  if (separate_security) {
    a.security.emplace();
    a.security->sink.path = (d.path / "security.log").string();
    a.security->format = config::AuditFormat::Fhir;
    a.security->durability = config::Durability::Async;
  }
  return a;
}

TEST(Trails, each_stream_opens_its_own_chained_file) {
  Dir d;
  observe::Metrics metrics;
  std::vector<std::string> errors;
  auto t = Trails::open(audit_config(d, true), metrics, "vigie-0", errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_TRUE(t->patient().accepting());
  EXPECT_NE(&t->patient(), &t->security());
  Record r;
  r.kind = Kind::SecurityEvent;
  r.event = "policy_denied";
  r.request_id = "req-1";
  t->security().submit(t->encode(r, t->security()));
  t->stop();
  auto patient = lines(d.path / "patient.log");
  ASSERT_EQ(patient.size(), 2u);  // audit_started, audit_stopped
  EXPECT_EQ(nlohmann::json::parse(patient[0])["event"], "audit_started");
  auto security = lines(d.path / "security.log");
  ASSERT_EQ(security.size(), 3u);
  auto event = nlohmann::json::parse(security[1]);
  EXPECT_EQ(event["resourceType"], "AuditEvent");  // the security stream's own format
  EXPECT_EQ(metrics.serialize().find("vigie_audit_total{kind=\"records\",stream=\"security\"} 3") != std::string::npos,
            true);
}

TEST(Trails, without_a_security_stream_events_share_the_patient_chain) {
  Dir d;
  observe::Metrics metrics;
  std::vector<std::string> errors;
  auto t = Trails::open(audit_config(d, false), metrics, "vigie-0", errors);
  EXPECT_EQ(&t->patient(), &t->security());
  t->stop();
  EXPECT_FALSE(fs::exists(d.path / "security.log"));
}

TEST(Trails, an_unusable_sink_is_reported_and_refuses) {
  Dir d;
  config::Audit a = audit_config(d, false);
  a.patient.sink.path = "/dev/full";
  observe::Metrics metrics;
  std::vector<std::string> errors;
  auto t = Trails::open(a, metrics, "vigie-0", errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("No space left"), std::string::npos) << errors[0];
  EXPECT_FALSE(t->patient().accepting());
}

}  // namespace
}  // namespace vigie::audit
