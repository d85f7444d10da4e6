#include "audit/loki_push.h"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <filesystem>
#include <future>
#include <nlohmann/json.hpp>

#include "support/certs.h"
#include "support/fake_loki.h"
#include "support/vigie_process.h"

namespace vigie::audit {
namespace {

using Kind = PushOutcome::Kind;
using observe::LokiFailure;
using namespace std::chrono_literals;

constexpr int64_t kSec = 1000000000;
// 2026-03-01T10:00:00Z
constexpr int64_t kMarch1 = 1772359200;

TEST(LokiPush, iso8601_times_become_unix_nanoseconds) {
  struct Case {
    const char* name;
    const char* text;
    std::optional<int64_t> ns;
  } cases[] = {
      {"utc_with_milliseconds", "2026-03-01T10:00:00.123Z", kMarch1 * kSec + 123000000},
      {"utc_without_fraction", "2026-03-01T10:00:00Z", kMarch1 * kSec},
      {"nanoseconds_kept", "2026-03-01T10:00:00.000000007Z", kMarch1 * kSec + 7},
      {"digits_past_nanoseconds_dropped", "2026-03-01T10:00:00.1234567891Z", kMarch1 * kSec + 123456789},
      {"positive_offset_is_east_of_utc", "2026-03-01T11:30:00+01:30", kMarch1 * kSec},
      {"negative_offset", "2026-03-01T05:00:00-05:00", kMarch1 * kSec},
      {"epoch", "1970-01-01T00:00:00Z", 0},
      {"leap_day", "2024-02-29T00:00:00Z", 1709164800 * kSec},
      {"no_zone_refused", "2026-03-01T10:00:00", std::nullopt},
      {"date_only_refused", "2026-03-01", std::nullopt},
      {"february_30_refused", "2026-02-30T10:00:00Z", std::nullopt},
      {"hour_24_refused", "2026-03-01T24:00:00Z", std::nullopt},
      {"empty_fraction_refused", "2026-03-01T10:00:00.Z", std::nullopt},
      {"trailing_bytes_refused", "2026-03-01T10:00:00Z ", std::nullopt},
  };
  for (const auto& c : cases) EXPECT_EQ(parse_iso8601_ns(c.text), c.ns) << c.name;
}

TEST(LokiPush, record_time_comes_from_time_or_recorded) {
  struct Case {
    const char* name;
    const char* line;
    std::optional<int64_t> ns;
  } cases[] = {
      {"json_record_time", R"({"time":"2026-03-01T10:00:00.001Z","kind":"patient_access","seq":1,"mac":"00"})",
       kMarch1 * kSec + 1000000},
      {"fhir_recorded", R"({"resourceType":"AuditEvent","action":"R","recorded":"2026-03-01T10:00:00Z"})",
       kMarch1 * kSec},
      {"nested_time_ignored", R"({"user":{"time":"2026-03-01T10:00:00Z"}})", std::nullopt},
      {"time_inside_an_array_ignored", R"({"a":[{"time":"2020-01-01T00:00:00Z"}],"b":1})", std::nullopt},
      {"member_spelled_inside_a_value_ignored",
       R"({"path":"\",\"time\":\"2020-01-01T00:00:00Z","time":"2026-03-01T10:00:00Z"})", kMarch1 * kSec},
      {"escaped_backslash_ends_the_value",
       R"({"path":"a\\","time":"2026-03-01T10:00:00Z"})", kMarch1 * kSec},
      {"spaces_around_the_colon", R"({ "time" : "2026-03-01T10:00:00Z" })", kMarch1 * kSec},
      {"not_json", "2026-03-01T10:00:00Z something", std::nullopt},
      {"time_not_a_string", R"({"time":1772359200})", std::nullopt},
  };
  for (const auto& c : cases) EXPECT_EQ(record_time_ns(c.line), c.ns) << c.name;
}

TEST(LokiPush, label_names_follow_loki) {
  struct Case {
    const char* name;
    bool ok;
  } cases[] = {{"job", true},      {"_private", true}, {"pod_name2", true}, {"", false},
               {"2fast", false},   {"with-dash", false}, {"with.dot", false}, {"__name__", false}};
  for (const auto& c : cases) EXPECT_EQ(valid_label_name(c.name), c.ok) << c.name;
}

TEST(LokiPush, body_is_one_stream_with_string_timestamps_and_escaped_lines) {
  std::string line = R"({"time":"t","path":"/a\"b"})";
  std::string body = push_body({{"job", "vigie-audit"}, {"pod", "vigie-0"}}, {{12, line}, {13, "é\tx"}});
  auto doc = nlohmann::json::parse(body);
  ASSERT_EQ(doc["streams"].size(), 1u);
  EXPECT_EQ(doc["streams"][0]["stream"], (nlohmann::json{{"job", "vigie-audit"}, {"pod", "vigie-0"}}));
  EXPECT_EQ(doc["streams"][0]["values"],
            nlohmann::json::array({nlohmann::json::array({"12", line}), nlohmann::json::array({"13", "é\tx"})}));
}

TEST(LokiPush, push_url_appends_the_api_path) {
  struct Case {
    const char* base;
    std::optional<std::string> url;
  } cases[] = {
      {"http://loki:3100", "http://loki:3100/loki/api/v1/push"},
      {"https://gw.example/tenant-a/", "https://gw.example/tenant-a/loki/api/v1/push"},
      {"http://127.0.0.1:3100/", "http://127.0.0.1:3100/loki/api/v1/push"},
      {"loki:3100", std::nullopt},
      {"http://loki:3100/?x=1", std::nullopt},
  };
  for (const auto& c : cases) {
    auto u = push_url(c.base);
    EXPECT_EQ(u ? std::optional<std::string>(u->str()) : std::nullopt, c.url) << c.base;
  }
}

TEST(LokiPush, only_400_condemns_the_data) {
  struct Case {
    int status;
    Kind kind;
    LokiFailure failure;
  } cases[] = {
      {204, Kind::Accepted, LokiFailure::Io},        {200, Kind::Accepted, LokiFailure::Io},
      {400, Kind::Rejected, LokiFailure::Io},        {429, Kind::Retry, LokiFailure::Throttled},
      {500, Kind::Retry, LokiFailure::Server},       {503, Kind::Retry, LokiFailure::Server},
      {408, Kind::Retry, LokiFailure::Timeout},      {401, Kind::Retry, LokiFailure::Refused},
      {403, Kind::Retry, LokiFailure::Refused},      {404, Kind::Retry, LokiFailure::Refused},
      {413, Kind::Retry, LokiFailure::Refused},
  };
  for (const auto& c : cases) {
    auto o = classify(c.status, "why");
    EXPECT_EQ(o.kind, c.kind) << c.status;
    if (c.kind == Kind::Retry) {
      EXPECT_EQ(o.failure, c.failure) << c.status;
    }
  }
}

// The client against a Loki-like server: what each answer becomes, and the headers it sends.
class LokiClientTest : public ::testing::Test {
 protected:
  LokiClient::Options options(const testing::FakeLoki& loki) {
    LokiClient::Options o;
    o.url = *push_url(loki.url());
    o.timeout = 5s;
    return o;
  }
  std::string body_with(std::string_view line) { return push_body({{"job", "t"}}, {{1, line}}); }
};

TEST_F(LokiClientTest, answers_become_outcomes) {
  testing::FakeLoki loki;
  loki.reject_lines_containing("TOO-LONG");
  LokiClient client(options(loki));
  struct Case {
    const char* name;
    int fail_status;  // 0: none
    const char* line;
    Kind kind;
    LokiFailure failure;
  } cases[] = {
      {"stored_is_accepted", 0, "a", Kind::Accepted, LokiFailure::Io},
      {"refused_entry_is_rejected", 0, "TOO-LONG", Kind::Rejected, LokiFailure::Io},
      {"rate_limited_is_retried", 429, "b", Kind::Retry, LokiFailure::Throttled},
      {"ingester_down_is_retried", 500, "c", Kind::Retry, LokiFailure::Server},
  };
  for (const auto& c : cases) {
    if (c.fail_status) loki.fail_next(c.fail_status, 1);
    auto o = client.push(body_with(c.line));
    EXPECT_EQ(o.kind, c.kind) << c.name;
    if (c.kind == Kind::Retry) {
      EXPECT_EQ(o.failure, c.failure) << c.name;
    }
    if (c.kind == Kind::Rejected) {
      EXPECT_NE(o.detail.find("Max entry size"), std::string::npos) << o.detail;
    }
  }
  ASSERT_EQ(loki.entries().size(), 1u);
  EXPECT_EQ(loki.entries()[0].line, "a");
}

TEST_F(LokiClientTest, tenant_and_bearer_token_are_sent_only_when_set) {
  testing::FakeLoki loki;
  struct Case {
    std::string tenant, token;
  } cases[] = {{"", ""}, {"clinic-a", "s3cret"}};
  for (const auto& c : cases) {
    auto o = options(loki);
    o.tenant = c.tenant;
    o.token = c.token;
    LokiClient client(o);
    ASSERT_EQ(client.push(body_with("x")).kind, Kind::Accepted);
    auto h = loki.pushes().back().headers;
    EXPECT_EQ(h["content-type"], "application/json");
    EXPECT_EQ(h.contains("x-scope-orgid"), !c.tenant.empty());
    EXPECT_EQ(h.contains("authorization"), !c.token.empty());
    if (!c.tenant.empty()) {
      EXPECT_EQ(h["x-scope-orgid"], c.tenant);
    }
    if (!c.token.empty()) {
      EXPECT_EQ(h["authorization"], "Bearer " + c.token);
    }
  }
}

TEST_F(LokiClientTest, loki_requiring_a_tenant_refuses_without_one) {
  testing::FakeLoki loki(testing::FakeLoki::Options{.require_tenant = true});
  LokiClient client(options(loki));
  auto o = client.push(body_with("x"));
  EXPECT_EQ(o.kind, Kind::Retry);
  EXPECT_EQ(o.failure, LokiFailure::Refused);
  EXPECT_EQ(o.status, 401);
}

TEST_F(LokiClientTest, https_loki_is_verified_against_the_configured_ca) {
  std::string dir = testing::make_temp_dir();
  auto pki = testing::make_test_pki(dir);
  testing::FakeLoki loki(testing::FakeLoki::Options{.cert_file = pki.cert_file, .key_file = pki.key_file});
  auto trusted = options(loki);
  trusted.ca_file = pki.ca_file;
  EXPECT_EQ(LokiClient(trusted).push(body_with("x")).kind, Kind::Accepted);
  auto system_store = options(loki);  // the test CA is not in it
  auto o = LokiClient(system_store).push(body_with("y"));
  EXPECT_EQ(o.kind, Kind::Retry);
  EXPECT_EQ(o.failure, LokiFailure::Tls);
  EXPECT_EQ(loki.entries().size(), 1u);
  std::filesystem::remove_all(dir);
}

TEST_F(LokiClientTest, refused_connection_is_a_connect_failure) {
  testing::FakeLoki loki;
  loki.go_down();
  auto o = LokiClient(options(loki)).push(body_with("x"));
  EXPECT_EQ(o.kind, Kind::Retry);
  EXPECT_EQ(o.failure, LokiFailure::Connect);
}

// A listener that never accepts: the kernel completes the handshake, nobody ever answers.
struct SilentServer {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor{io, {boost::asio::ip::make_address("127.0.0.1"), 0}};
  std::string url() const { return "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()); }
};

TEST_F(LokiClientTest, silent_loki_times_out) {
  SilentServer silent;
  LokiClient::Options o;
  o.url = *push_url(silent.url());
  o.timeout = 200ms;
  auto out = LokiClient(o).push(body_with("x"));
  EXPECT_EQ(out.kind, Kind::Retry);
  EXPECT_EQ(out.failure, LokiFailure::Timeout);
}

TEST_F(LokiClientTest, interrupt_ends_a_push_in_progress) {
  SilentServer silent;
  LokiClient::Options o;
  o.url = *push_url(silent.url());
  o.timeout = 60s;
  LokiClient client(o);
  auto t0 = std::chrono::steady_clock::now();
  auto pushed = std::async(std::launch::async, [&] { return client.push(body_with("x")); });
  client.interrupt();
  ASSERT_EQ(pushed.wait_for(30s), std::future_status::ready);
  EXPECT_EQ(pushed.get().kind, Kind::Retry);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 30s);
  EXPECT_EQ(client.push(body_with("y")).kind, Kind::Retry);  // and every push after it
}

}  // namespace
}  // namespace vigie::audit
