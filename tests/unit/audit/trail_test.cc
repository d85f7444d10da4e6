#include "audit/trail.h"

#include <gtest/gtest.h>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <mutex>

namespace vigie::audit {
namespace {
namespace asio = boost::asio;

constexpr std::string_view kKey = "0123456789abcdef0123456789abcdef";

// Records what the trail wrote; fails writes while `broken` is set.
class MemorySink final : public Sink {
 public:
  bool resume(ChainState& state, std::string& error) override {
    std::lock_guard lk(mu);
    if (broken) {
      error = "broken";
      return false;
    }
    state = ChainState{};
    if (!lines.empty()) {
      auto s = unseal(std::string_view(lines.back()).substr(0, lines.back().size() - 1));
      state.seq = s->seq;
      state.mac = s->mac;
    }
    return true;
  }
  bool write(std::string_view data, std::string& error) override {
    std::lock_guard lk(mu);
    if (broken) {
      error = "No space left on device";
      return false;
    }
    ++writes;
    while (!data.empty()) {
      size_t nl = data.find('\n');
      lines.emplace_back(data.substr(0, nl + 1));
      data.remove_prefix(nl + 1);
    }
    return true;
  }
  bool sync(std::string&) override {
    std::lock_guard lk(mu);
    ++syncs;
    return true;
  }
  bool rotate_if_due(size_t, std::chrono::system_clock::time_point, std::string&) override { return true; }

  std::mutex mu;
  bool broken = false;
  std::vector<std::string> lines;
  int writes = 0;
  int syncs = 0;
};

std::string encode(const Record& r) { return "{\"event\":\"" + r.event + "\""; }

struct Fixture {
  MemorySink* sink = nullptr;
  std::unique_ptr<Trail> trail;
  asio::io_context io;

  explicit Fixture(config::Durability d = config::Durability::Sync, bool broken = false) {
    auto s = std::make_unique<MemorySink>();
    sink = s.get();
    sink->broken = broken;
    Trail::Options o{"patient", std::string(kKey), config::AuditFormat::Json, d, encode, 1000,
                     std::chrono::milliseconds(0)};
    trail = std::make_unique<Trail>(o, std::move(s), observe::AuditMetrics{});
  }

  // Commits `n` records and runs the io_context until every completion has arrived.
  std::vector<bool> commit(int n) {
    std::vector<bool> results;
    io.restart();  // the last guard's release stopped it
    for (int i = 0; i < n; ++i) {
      trail->commit("{\"n\":" + std::to_string(i),
                    asio::bind_executor(io, [&results](bool ok) { results.push_back(ok); }));
    }
    auto guard = asio::make_work_guard(io);
    while (results.size() < static_cast<size_t>(n)) io.run_one();
    return results;
  }
  std::vector<std::string> lines() {
    std::lock_guard lk(sink->mu);
    return sink->lines;
  }
};

TEST(Trail, start_writes_a_first_record_and_commits_follow_it_in_order) {
  Fixture f;
  std::string error;
  ASSERT_TRUE(f.trail->start(error)) << error;
  EXPECT_TRUE(f.trail->accepting());
  auto results = f.commit(50);
  EXPECT_EQ(std::count(results.begin(), results.end(), true), 50);
  f.trail->stop();
  auto lines = f.lines();
  ASSERT_EQ(lines.size(), 52u);  // started, 50 records, stopped
  EXPECT_NE(lines.front().find("audit_started"), std::string::npos);
  EXPECT_NE(lines.back().find("audit_stopped"), std::string::npos);
  for (size_t i = 0; i < lines.size(); ++i) {
    auto s = unseal(std::string_view(lines[i]).substr(0, lines[i].size() - 1));
    ASSERT_TRUE(s);
    EXPECT_EQ(s->seq, i + 1);
  }
  EXPECT_NE(lines[1].find("{\"n\":0,"), std::string::npos);
  EXPECT_NE(lines[50].find("{\"n\":49,"), std::string::npos);
}

TEST(Trail, sync_records_complete_after_a_sync_shared_by_a_batch) {
  Fixture f;
  std::string error;
  ASSERT_TRUE(f.trail->start(error));
  auto results = f.commit(200);
  f.trail->stop();
  std::lock_guard lk(f.sink->mu);
  // Every batch was synced before its completions ran; 200 queued at once need far fewer syncs.
  EXPECT_EQ(f.sink->syncs, f.sink->writes);
  EXPECT_LT(f.sink->writes, 200);
}

TEST(Trail, a_failing_sink_refuses_then_recovers_by_probing) {
  Fixture f;
  std::string error;
  ASSERT_TRUE(f.trail->start(error));
  {
    std::lock_guard lk(f.sink->mu);
    f.sink->broken = true;
  }
  auto results = f.commit(3);
  EXPECT_EQ(std::count(results.begin(), results.end(), false), 3);
  EXPECT_FALSE(f.trail->accepting());
  {
    std::lock_guard lk(f.sink->mu);
    f.sink->broken = false;
  }
  results = f.commit(1);  // the next record probes first (probe interval 0 here), then goes through
  EXPECT_TRUE(results[0]);
  EXPECT_TRUE(f.trail->accepting());
  f.trail->stop();
  auto lines = f.lines();
  ASSERT_GE(lines.size(), 3u);
  EXPECT_NE(lines[1].find("audit_resumed"), std::string::npos);
  auto s1 = unseal(std::string_view(lines[1]).substr(0, lines[1].size() - 1));
  EXPECT_EQ(s1->seq, 2u);  // the failed records took no sequence number
}

TEST(Trail, a_sink_unusable_at_start_leaves_the_trail_refusing) {
  Fixture f(config::Durability::Sync, true);
  std::string error;
  EXPECT_FALSE(f.trail->start(error));
  EXPECT_EQ(error, "broken");
  EXPECT_FALSE(f.trail->accepting());
  auto results = f.commit(1);
  EXPECT_FALSE(results[0]);
}

TEST(Trail, unwaited_records_are_kept_while_failing_and_written_after) {
  Fixture f(config::Durability::Async);
  std::string error;
  ASSERT_TRUE(f.trail->start(error));
  {
    std::lock_guard lk(f.sink->mu);
    f.sink->broken = true;
  }
  f.trail->submit("{\"security\":1");
  auto failed = f.commit(1);  // a failure seen by a waiter proves the submitted record was tried
  EXPECT_FALSE(failed[0]);
  {
    std::lock_guard lk(f.sink->mu);
    f.sink->broken = false;
  }
  EXPECT_TRUE(f.commit(1)[0]);
  f.trail->stop();
  auto lines = f.lines();
  EXPECT_TRUE(std::any_of(lines.begin(), lines.end(),
                          [](const std::string& l) { return l.find("{\"security\":1,") != std::string::npos; }));
}

TEST(Trail, commits_after_stop_fail) {
  Fixture f;
  std::string error;
  ASSERT_TRUE(f.trail->start(error));
  f.trail->stop();
  EXPECT_FALSE(f.commit(1)[0]);
}

}  // namespace
}  // namespace vigie::audit
