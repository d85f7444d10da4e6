// The audit trail shipping to Loki end to end: a real Trail (writer thread, group commit, HMAC
// chain, fail-closed accepting()) over a LokiSink, pushing over TCP to the in-process Loki of
// tests/support/fake_loki. What Loki holds is checked line by line: every committed record exactly
// once, in chain order, and the chain verifies with the key. A Loki outage fills the spool until the
// trail refuses patient data, and Loki's return drains it.
// (No Grafana Loki can be installed on the test machines: Debian's "loki" package is an unrelated
// genetics program, and Grafana's is not packaged. The fake follows Loki's push API as documented.)
#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <future>

#include "audit/chain.h"
#include "audit/loki_sink.h"
#include "audit/trail.h"
#include "support/fake_loki.h"
#include "support/vigie_process.h"

namespace vigie::testing {
namespace {

using namespace std::chrono_literals;
constexpr std::string_view kKey = "0123456789abcdef0123456789abcdef";

std::string iso(std::chrono::system_clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return std::string(buf) + "." + std::to_string(1000 + ms % 1000).substr(1) + "Z";
}

// What the JSON encoder writes, reduced to what this test needs: an object without its closing brace.
std::string patient_record(int i) {
  return R"({"time":")" + iso(std::chrono::system_clock::now()) + R"(","kind":"patient_access","request_id":"req-)" +
         std::to_string(i) + R"(","patients":[{"id":"p-)" + std::to_string(i) + R"("}],"pad":")" +
         std::string(150, 'x') + "\"";
}

std::string own_record(const audit::Record& r) {
  return R"({"time":")" + iso(r.time) + R"(","kind":"security_event","event":")" + r.event + "\"";
}

class AuditLoki : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = make_temp_dir(); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A sync trail over a LokiSink; `sink_` keeps a view of the sink the trail owns.
  std::unique_ptr<audit::Trail> make_trail(const FakeLoki& loki, uint64_t spool_bytes, uint64_t segment_bytes) {
    config::AuditSink c;
    c.type = config::AuditSinkType::Loki;
    c.path = dir_ + "/patient.log";
    c.loki_url = loki.url();
    c.labels = {{"instance", "vigie-test"}};
    c.spool_bytes = spool_bytes;
    audit::LokiTuning t;
    t.segment_bytes = segment_bytes;
    t.backoff_min = 10ms;
    t.backoff_max = 100ms;
    t.poll = 100ms;
    auto sink = std::make_unique<audit::LokiSink>(c, "patient", metrics_.loki("patient"), t);
    sink_ = sink.get();
    audit::Trail::Options o;
    o.name = "patient";
    o.key = std::string(kKey);
    o.encode = own_record;
    o.probe_interval = 50ms;
    return std::make_unique<audit::Trail>(o, std::move(sink), metrics_.audit("patient"));
  }

  static bool commit(audit::Trail& trail, std::string body) {
    std::promise<bool> done;
    trail.commit(std::move(body), [&](bool ok) { done.set_value(ok); });
    auto f = done.get_future();
    return f.wait_for(20s) == std::future_status::ready && f.get();
  }

  // Every line Loki holds is a sealed record; their sequence numbers run 1..n without a gap or a
  // repeat, and each mac chains to the one before.
  static void expect_whole_chain(const std::vector<FakeLoki::Entry>& entries) {
    std::string mac(32, '\0');
    for (size_t i = 0; i < entries.size(); ++i) {
      auto sealed = audit::unseal(entries[i].line);
      ASSERT_TRUE(sealed) << entries[i].line;
      ASSERT_EQ(sealed->seq, i + 1) << "entry " << i;
      ASSERT_EQ(sealed->mac, audit::chain_mac(kKey, mac, sealed->seq, sealed->body)) << "entry " << i;
      mac = sealed->mac;
      if (i > 0) {
        EXPECT_GT(entries[i].ts_ns, entries[i - 1].ts_ns);
      }
      EXPECT_EQ(entries[i].labels.at("job"), "vigie-audit");
      EXPECT_EQ(entries[i].labels.at("instance"), "vigie-test");
    }
  }

  static size_t count_containing(const std::vector<FakeLoki::Entry>& entries, std::string_view s) {
    size_t n = 0;
    for (const auto& e : entries) n += e.line.find(s) != std::string::npos ? 1 : 0;
    return n;
  }

  std::string dir_;
  observe::Metrics metrics_;
  audit::LokiSink* sink_ = nullptr;
};

TEST_F(AuditLoki, committed_records_reach_loki_exactly_once_in_chain_order) {
  FakeLoki loki;
  auto trail = make_trail(loki, 1u << 20, 8u << 20);
  std::string error;
  ASSERT_TRUE(trail->start(error)) << error;
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(commit(*trail, patient_record(i))) << i;
  trail->stop();  // writes audit_stopped; the sink then drains before it goes
  trail.reset();

  auto entries = loki.entries();
  ASSERT_EQ(entries.size(), 52u);  // audit_started, 50 records, audit_stopped
  expect_whole_chain(entries);
  EXPECT_NE(entries.front().line.find("audit_started"), std::string::npos);
  EXPECT_NE(entries.back().line.find("audit_stopped"), std::string::npos);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(count_containing(entries, "\"req-" + std::to_string(i) + "\""), 1u) << i;
}

TEST_F(AuditLoki, outage_fills_the_spool_then_patient_data_is_refused_until_loki_is_back) {
  FakeLoki loki;
  auto trail = make_trail(loki, 8 * 1024, 2 * 1024);
  std::string error;
  ASSERT_TRUE(trail->start(error)) << error;
  ASSERT_TRUE(commit(*trail, patient_record(0)));
  ASSERT_TRUE(sink_->drain(20s));

  loki.go_down();
  int committed = 1;
  for (; committed < 500 && trail->accepting(); ++committed) {
    ASSERT_TRUE(commit(*trail, patient_record(committed))) << committed;
  }
  // The fail-closed point: the gateway answers 503 to patient-data requests from here on.
  EXPECT_FALSE(trail->accepting());
  EXPECT_GE(sink_->backlog_bytes(), 8u * 1024);
  EXPECT_GE(audit::FileSink::rotated_files(dir_ + "/patient.log").size(), 2u);

  loki.come_back();
  ASSERT_TRUE(sink_->drain(20s));
  // The trail looks at the sink again before its next write.
  trail->submit(own_record(audit::Record{.kind = audit::Kind::SecurityEvent,
                                         .event = "after_outage",
                                         .time = std::chrono::system_clock::now()}));
  ASSERT_TRUE(commit(*trail, patient_record(committed)));
  EXPECT_TRUE(trail->accepting());
  trail->stop();
  trail.reset();

  auto entries = loki.entries();
  expect_whole_chain(entries);
  for (int i = 0; i <= committed; ++i) EXPECT_EQ(count_containing(entries, "\"req-" + std::to_string(i) + "\""), 1u) << i;
  EXPECT_TRUE(audit::FileSink::rotated_files(dir_ + "/patient.log").empty());
}

}  // namespace
}  // namespace vigie::testing
