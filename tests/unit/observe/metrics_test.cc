#include "observe/metrics.h"

#include <gtest/gtest.h>

namespace vigie::observe {
namespace {

TEST(Metrics, methods_are_bucketed_to_a_bounded_set) {
  EXPECT_EQ(method_class("GET"), MethodClass::Get);
  EXPECT_EQ(method_class("DELETE"), MethodClass::Delete);
  EXPECT_EQ(method_class("BREW"), MethodClass::Other);
  EXPECT_EQ(method_class("get"), MethodClass::Other);
}

TEST(Metrics, route_handles_count_by_method_and_status_class) {
  Metrics m;
  RouteMetrics r = m.route("api");
  r.record("POST", 201, 0.01);
  r.record("POST", 503, 0.02);
  r.record("PURGE", 404, 0.03);
  std::string text = m.serialize();
  EXPECT_NE(text.find("vigie_requests_total{method=\"POST\",route=\"api\",status=\"2xx\"} 1"), std::string::npos);
  EXPECT_NE(text.find("vigie_requests_total{method=\"POST\",route=\"api\",status=\"5xx\"} 1"), std::string::npos);
  EXPECT_NE(text.find("vigie_requests_total{method=\"other\",route=\"api\",status=\"4xx\"} 1"), std::string::npos);
  EXPECT_NE(text.find("vigie_request_duration_seconds_count{route=\"api\"} 3"), std::string::npos);
}

TEST(Metrics, same_route_twice_shares_handles_across_reloads) {
  Metrics m;
  m.route("api").record("GET", 200, 0);
  m.route("api").record("GET", 200, 0);
  EXPECT_NE(m.serialize().find("vigie_requests_total{method=\"GET\",route=\"api\",status=\"2xx\"} 2"),
            std::string::npos);
}

TEST(Metrics, loki_handles_count_by_stream_result_and_failure_kind) {
  Metrics m;
  LokiMetrics l = m.loki("patient");
  l.pushed->Increment(3);
  l.rejected->Increment();
  l.failures[static_cast<size_t>(LokiFailure::Throttled)]->Increment();
  l.spool_bytes->Set(42);
  l.push_seconds->Observe(0.01);
  std::string text = m.serialize();
  for (const char* series : {
           R"(vigie_audit_loki_records_total{result="pushed",stream="patient"} 3)",
           R"(vigie_audit_loki_records_total{result="rejected",stream="patient"} 1)",
           R"(vigie_audit_loki_push_failures_total{kind="throttled",stream="patient"} 1)",
           R"(vigie_audit_loki_push_failures_total{kind="connect",stream="patient"} 0)",
           R"(vigie_audit_loki_push_failures_total{kind="refused",stream="patient"} 0)",
           R"(vigie_audit_loki_spool_bytes{stream="patient"} 42)",
           R"(vigie_audit_loki_push_seconds_count{stream="patient"} 1)",
       }) {
    EXPECT_NE(text.find(series), std::string::npos) << series;
  }
}

}  // namespace
}  // namespace vigie::observe
