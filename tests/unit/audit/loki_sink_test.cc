#include "audit/loki_sink.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/fake_loki.h"
#include "support/vigie_process.h"

namespace vigie::audit {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr std::string_view kKey = "0123456789abcdef0123456789abcdef";
constexpr int64_t kMarch1Ns = 1772359200LL * 1000000000LL;  // 2026-03-01T10:00:00Z

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class LokiSinkTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::make_temp_dir(); }
  void TearDown() override { fs::remove_all(dir_); }

  [[nodiscard]] std::string path() const { return dir_ + "/audit.log"; }

  config::AuditSink sink_config(const testing::FakeLoki& loki) const {
    config::AuditSink c;
    c.type = config::AuditSinkType::Loki;
    c.path = path();
    c.loki_url = loki.url();
    c.spool_bytes = 1u << 20;
    return c;
  }

  static LokiTuning fast() {
    LokiTuning t;
    t.backoff_min = 5ms;
    t.backoff_max = 50ms;
    t.poll = 50ms;
    t.timeout = 5s;
    t.drain_on_stop = 0ms;
    return t;
  }

  std::unique_ptr<LokiSink> make(const config::AuditSink& c, LokiTuning t = fast()) {
    return std::make_unique<LokiSink>(c, "patient", metrics_.loki("patient"), t);
  }

  // A sealed JSON record timed 2026-03-01T10:00:00 + `ms`, padded to about `pad` bytes.
  std::string record(ChainState& s, int ms, size_t pad = 0) {
    char time[40];
    std::snprintf(time, sizeof time, "2026-03-01T10:%02d:%02d.%03dZ", ms / 60000, ms / 1000 % 60, ms % 1000);
    std::string line = std::string(R"({"time":")") + time + R"(","request_id":"r)" + std::to_string(s.seq + 1) +
                       R"(","pad":")" + std::string(pad, 'x') + "\"";
    seal(line, kKey, s, config::AuditFormat::Json);
    return line;
  }

  // Writes records the way the Trail does: rotation check, write, sync. Returns the lines.
  std::vector<std::string> write(LokiSink& sink, ChainState& s, int n, int first_ms = 0, size_t pad = 0) {
    std::vector<std::string> out;
    std::string batch;
    for (int i = 0; i < n; ++i) {
      out.push_back(record(s, first_ms + i, pad));
      batch += out.back();
    }
    std::string error;
    EXPECT_TRUE(sink.rotate_if_due(batch.size(), std::chrono::system_clock::now(), error)) << error;
    EXPECT_TRUE(sink.write(batch, error)) << error;
    EXPECT_TRUE(sink.sync(error)) << error;
    for (auto& l : out) l.pop_back();  // as Loki stores them: without '\n'
    return out;
  }

  static std::vector<std::string> lines_of(const std::vector<testing::FakeLoki::Entry>& entries) {
    std::vector<std::string> out;
    for (const auto& e : entries) out.push_back(e.line);
    return out;
  }

  [[nodiscard]] double metric(const std::string& series) const {
    std::string text = metrics_.serialize();
    size_t at = text.find(series + " ");
    return at == std::string::npos ? -1 : std::stod(text.substr(at + series.size() + 1));
  }

  std::string dir_;
  observe::Metrics metrics_;
};

TEST_F(LokiSinkTest, records_arrive_in_order_with_labels_and_their_own_timestamps) {
  testing::FakeLoki loki;
  auto c = sink_config(loki);
  c.labels = {{"pod", "vigie-0"}};
  auto sink = make(c);
  ChainState s;
  std::string error;
  ASSERT_TRUE(sink->resume(s, error)) << error;
  auto written = write(*sink, s, 25);
  ASSERT_TRUE(loki.wait_entries(25));
  auto got = loki.entries();
  EXPECT_EQ(lines_of(got), written);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].ts_ns, kMarch1Ns + static_cast<int64_t>(i) * 1000000) << i;
    EXPECT_EQ(got[i].labels, (std::map<std::string, std::string>{
                                 {"job", "vigie-audit"}, {"pod", "vigie-0"}, {"audit_stream", "patient"}}));
  }
  ASSERT_TRUE(sink->drain(10s));
  EXPECT_EQ(metric(R"(vigie_audit_loki_records_total{result="pushed",stream="patient"})"), 25);
  EXPECT_EQ(metric(R"(vigie_audit_loki_spool_bytes{stream="patient"})"), 0);
}

TEST_F(LokiSinkTest, configured_labels_override_the_defaults) {
  testing::FakeLoki loki;
  auto c = sink_config(loki);
  c.labels = {{"job", "audit"}, {"audit_stream", "all"}};
  EXPECT_EQ(make(c)->labels(), (std::map<std::string, std::string>{{"job", "audit"}, {"audit_stream", "all"}}));
}

TEST_F(LokiSinkTest, timestamps_only_go_up_so_loki_orders_lines_as_the_chain) {
  testing::FakeLoki loki;
  auto sink = make(sink_config(loki));
  ChainState s;
  std::string error;
  ASSERT_TRUE(sink->resume(s, error)) << error;
  // Workers queue records slightly out of time order: 5 ms, 3 ms, 3 ms, 7 ms.
  std::vector<std::string> written;
  for (int ms : {5, 3, 3, 7}) written.push_back(write(*sink, s, 1, ms)[0]);
  ASSERT_TRUE(loki.wait_entries(4));
  auto got = loki.entries();
  EXPECT_EQ(lines_of(got), written);
  std::vector<int64_t> ts;
  for (const auto& e : got) ts.push_back(e.ts_ns - kMarch1Ns);
  EXPECT_EQ(ts, (std::vector<int64_t>{5000000, 5000001, 5000002, 7000000}));
}

TEST_F(LokiSinkTest, cursor_survives_restarts_nothing_pushed_twice_nothing_skipped) {
  testing::FakeLoki loki;
  auto c = sink_config(loki);
  ChainState s;
  std::string error;
  std::vector<std::string> all;
  {
    auto sink = make(c);
    ASSERT_TRUE(sink->resume(s, error)) << error;
    for (auto& l : write(*sink, s, 20)) all.push_back(l);
    ASSERT_TRUE(sink->drain(10s));
  }
  LokiSink::Cursor cur;
  ASSERT_TRUE(LokiSink::load_cursor(LokiSink::cursor_path(path()), cur, error)) << error;
  EXPECT_EQ(cur.name, "audit.log");
  EXPECT_EQ(cur.offset, fs::file_size(path()));
  struct stat st{};
  ASSERT_EQ(::stat(path().c_str(), &st), 0);
  EXPECT_EQ(cur.ino, st.st_ino);

  loki.go_down();
  {
    auto sink = make(c);  // stops without waiting: the records stay spooled
    ASSERT_TRUE(sink->resume(s, error)) << error;
    EXPECT_EQ(s.seq, 20u);
    for (auto& l : write(*sink, s, 20, 20)) all.push_back(l);
    EXPECT_GT(sink->backlog_bytes(), 0u);
  }
  loki.come_back();
  {
    auto sink = make(c);
    ASSERT_TRUE(sink->resume(s, error)) << error;
    EXPECT_EQ(s.seq, 40u);
    ASSERT_TRUE(sink->drain(20s));
  }
  EXPECT_EQ(lines_of(loki.entries()), all);
}

TEST_F(LokiSinkTest, loki_down_fills_the_spool_then_refuses_then_drains_and_deletes_segments) {
  testing::FakeLoki loki;
  loki.go_down();
  auto c = sink_config(loki);
  c.spool_bytes = 16 * 1024;
  auto t = fast();
  t.segment_bytes = 4 * 1024;
  auto sink = make(c, t);
  ChainState s;
  std::string error;
  ASSERT_TRUE(sink->resume(s, error)) << error;

  std::vector<std::string> all;
  for (int i = 0; i < 1000 && sink->has_room(); ++i) all.push_back(write(*sink, s, 1, i, 200)[0]);
  EXPECT_FALSE(sink->has_room());
  EXPECT_GE(sink->backlog_bytes(), c.spool_bytes);
  EXPECT_GE(FileSink::rotated_files(path()).size(), 3u);

  // Past has_room(), writes still go in (records already queued) up to an eighth more, then fail
  // whole: nothing half-written, and the disk is bounded.
  bool refused = false;
  for (int i = 0; i < 100 && !refused; ++i) {
    std::string line = record(s, 5000 + i, 200);
    ChainState before = s;
    if (!sink->write(line, error)) {
      refused = true;
      s = before;
    } else {
      all.push_back(line.substr(0, line.size() - 1));
    }
  }
  ASSERT_TRUE(refused);
  EXPECT_NE(error.find("full"), std::string::npos) << error;
  EXPECT_LE(sink->backlog_bytes(), c.spool_bytes + c.spool_bytes / 8);
  EXPECT_GT(metric(R"(vigie_audit_loki_push_failures_total{kind="connect",stream="patient"})"), 0);

  loki.come_back();
  ASSERT_TRUE(sink->drain(20s));
  EXPECT_TRUE(sink->has_room());
  EXPECT_EQ(lines_of(loki.entries()), all);
  EXPECT_TRUE(FileSink::rotated_files(path()).empty());
  EXPECT_EQ(metric(R"(vigie_audit_loki_spool_bytes{stream="patient"})"), 0);
}

TEST_F(LokiSinkTest, throttled_or_failing_loki_gets_the_batch_again) {
  struct Case {
    int status;
    const char* kind;
  } cases[] = {{429, "throttled"}, {500, "server"}, {503, "server"}};
  for (const auto& c : cases) {
    testing::FakeLoki loki;
    loki.fail_next(c.status, 2);
    auto sink = make(sink_config(loki));
    ChainState s;
    std::string error;
    ASSERT_TRUE(sink->resume(s, error)) << error;
    auto written = write(*sink, s, 10);
    ASSERT_TRUE(sink->drain(20s)) << c.status;
    EXPECT_EQ(lines_of(loki.entries()), written) << c.status;
    auto pushes = loki.pushes();
    ASSERT_GE(pushes.size(), 3u);
    EXPECT_EQ(pushes[0].status, c.status);
    EXPECT_EQ(pushes[1].status, c.status);
    EXPECT_EQ(pushes[2].status, 204);
    sink.reset();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  EXPECT_EQ(metric(R"(vigie_audit_loki_push_failures_total{kind="throttled",stream="patient"})"), 2);
  EXPECT_EQ(metric(R"(vigie_audit_loki_push_failures_total{kind="server",stream="patient"})"), 4);
}

TEST_F(LokiSinkTest, refused_lines_are_set_aside_and_shipping_goes_on) {
  testing::FakeLoki loki;
  loki.reject_lines_containing("TOO-LONG");
  auto sink = make(sink_config(loki));
  ChainState s;
  std::string error;
  ASSERT_TRUE(sink->resume(s, error)) << error;
  auto before = write(*sink, s, 5);
  ASSERT_TRUE(sink->drain(10s));

  std::string bad = record(s, 100);
  bad.insert(bad.find("\"pad\":\"") + 7, "TOO-LONG");
  ASSERT_TRUE(sink->write(bad, error)) << error;
  ASSERT_TRUE(sink->sync(error)) << error;
  ASSERT_TRUE(sink->drain(10s));
  EXPECT_EQ(read_all(LokiSink::rejected_path(path())), bad);
  EXPECT_EQ(fs::status(LokiSink::rejected_path(path())).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);

  auto after = write(*sink, s, 5, 200);
  ASSERT_TRUE(sink->drain(10s));
  std::vector<std::string> expected = before;
  expected.insert(expected.end(), after.begin(), after.end());
  EXPECT_EQ(lines_of(loki.entries()), expected);
  EXPECT_EQ(metric(R"(vigie_audit_loki_records_total{result="rejected",stream="patient"})"), 1);
}

TEST_F(LokiSinkTest, newest_segment_is_kept_while_the_live_file_is_empty_so_the_chain_resumes) {
  testing::FakeLoki loki;
  auto c = sink_config(loki);
  auto t = fast();
  t.segment_bytes = 4 * 1024;
  ChainState s;
  std::string error;
  {
    auto sink = make(c, t);
    ASSERT_TRUE(sink->resume(s, error)) << error;
    write(*sink, s, 10, 0, 200);
    // The Trail rotates before a write that would not fit; a crash may come before that write.
    ASSERT_TRUE(sink->rotate_if_due(t.segment_bytes, std::chrono::system_clock::now(), error)) << error;
    ASSERT_EQ(fs::file_size(path()), 0u);
    ASSERT_TRUE(sink->drain(10s));
    EXPECT_EQ(loki.entries().size(), 10u);
    EXPECT_EQ(FileSink::rotated_files(path()).size(), 1u);
  }
  ChainState resumed;
  auto sink = make(c, t);
  ASSERT_TRUE(sink->resume(resumed, error)) << error;
  EXPECT_EQ(resumed.seq, 10u);
  EXPECT_EQ(resumed.mac, s.mac);
}

TEST_F(LokiSinkTest, unusable_settings_refuse_to_resume) {
  testing::FakeLoki loki;
  struct Case {
    const char* name;
    void (*change)(config::AuditSink&);
    const char* error;
  } cases[] = {
      {"url_not_http", [](config::AuditSink& c) { c.loki_url = "loki:3100"; }, "not an http(s) URL"},
      {"label_name_with_dash", [](config::AuditSink& c) { c.labels = {{"pod-name", "x"}}; }, "label name"},
      {"token_with_newline_inside",
       [](config::AuditSink& c) { c.loki_token = config::Secret{"env T", "abc\r\nX-Evil: 1"}; }, "control"},
      {"missing_ca_file", [](config::AuditSink& c) {
         c.loki_url = "https://loki.example";
         c.ca_file = "/nonexistent/ca.pem";
       }, "CA"},
  };
  for (const auto& k : cases) {
    auto c = sink_config(loki);
    k.change(c);
    ChainState s;
    std::string error;
    EXPECT_FALSE(make(c)->resume(s, error)) << k.name;
    EXPECT_NE(error.find(k.error), std::string::npos) << k.name << ": " << error;
  }
}

TEST_F(LokiSinkTest, cursor_file_that_is_not_ours_refuses_to_resume) {
  testing::FakeLoki loki;
  std::ofstream(LokiSink::cursor_path(path())) << "garbage\n";
  ChainState s;
  std::string error;
  EXPECT_FALSE(make(sink_config(loki))->resume(s, error));
  EXPECT_NE(error.find("delete it"), std::string::npos) << error;
}

TEST_F(LokiSinkTest, cursor_round_trips_a_name_with_spaces) {
  LokiSink::Cursor in{42, 1234, 1772359200123000000, "audit log.2026"};
  std::string error;
  std::string file = dir_ + "/c";
  ASSERT_TRUE(LokiSink::save_cursor(file, in, error)) << error;
  LokiSink::Cursor out;
  ASSERT_TRUE(LokiSink::load_cursor(file, out, error)) << error;
  EXPECT_EQ(out.ino, in.ino);
  EXPECT_EQ(out.offset, in.offset);
  EXPECT_EQ(out.last_ts, in.last_ts);
  EXPECT_EQ(out.name, in.name);
  EXPECT_FALSE(fs::exists(file + ".tmp"));
}

}  // namespace
}  // namespace vigie::audit
