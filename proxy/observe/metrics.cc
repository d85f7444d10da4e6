#include "observe/metrics.h"

#include <prometheus/text_serializer.h>

namespace vigie::observe {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

constexpr std::array<const char*, static_cast<size_t>(MethodClass::Count)> kMethodNames = {
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"};
constexpr std::array<const char*, 5> kStatusClasses = {"1xx", "2xx", "3xx", "4xx", "5xx"};

const prometheus::Histogram::BucketBoundaries& latency_buckets() {
  static const prometheus::Histogram::BucketBoundaries b = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                            0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  return b;
}

prometheus::Counter& counter(prometheus::Registry& r, const std::string& name, const std::string& help) {
  return BuildCounter().Name(name).Help(help).Register(r).Add({});
}

}  // namespace

MethodClass method_class(std::string_view m) {
  for (size_t i = 0; i + 1 < kMethodNames.size(); ++i) {
    if (m == kMethodNames[i]) return static_cast<MethodClass>(i);
  }
  return MethodClass::Other;
}

void RouteMetrics::record(std::string_view method, int status, double seconds) const {
  int cls = status / 100 - 1;
  if (cls < 0 || cls > 4) cls = 4;
  if (auto* c = requests[static_cast<size_t>(method_class(method))][static_cast<size_t>(cls)]) c->Increment();
  if (duration) duration->Observe(seconds);
}

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      active_connections(BuildGauge()
                             .Name("vigie_downstream_connections_active")
                             .Help("Client connections currently open")
                             .Register(*registry_)
                             .Add({})),
      connections_total(counter(*registry_, "vigie_downstream_connections_total", "Client connections accepted")),
      connections_refused(counter(*registry_, "vigie_downstream_connections_refused_total",
                                  "Client connections refused over limits.max_connections")),
      bytes_in(counter(*registry_, "vigie_downstream_received_bytes_total", "Bytes received from clients")),
      bytes_out(counter(*registry_, "vigie_downstream_sent_bytes_total", "Bytes sent to clients")),
      reloads_ok(BuildCounter()
                     .Name("vigie_config_reloads_total")
                     .Help("Configuration reloads by result")
                     .Register(*registry_)
                     .Add({{"result", "success"}})),
      reloads_failed(BuildCounter()
                         .Name("vigie_config_reloads_total")
                         .Help("Configuration reloads by result")
                         .Register(*registry_)
                         .Add({{"result", "failure"}})),
      local_replies_no_route(counter(*registry_, "vigie_no_route_total", "Requests that matched no route (404)")),
      bad_requests(counter(*registry_, "vigie_rejected_requests_total",
                           "Requests refused before routing: malformed, over limits or timed out")),
      audit_refused(counter(*registry_, "vigie_audit_refused_requests_total",
                            "Patient-data requests answered 503 because the audit trail could not write")),
      requests_(BuildCounter()
                    .Name("vigie_requests_total")
                    .Help("Requests by route, method and status class")
                    .Register(*registry_)),
      duration_(BuildHistogram()
                    .Name("vigie_request_duration_seconds")
                    .Help("Time from request header to last response byte, by route")
                    .Register(*registry_)),
      upstream_time_(BuildHistogram()
                         .Name("vigie_upstream_response_seconds")
                         .Help("Time from forwarding to the upstream response header, by cluster")
                         .Register(*registry_)),
      upstream_errors_(BuildCounter()
                           .Name("vigie_upstream_errors_total")
                           .Help("Upstream failures by cluster and kind")
                           .Register(*registry_)),
      decisions_(BuildCounter()
                     .Name("vigie_authz_decisions_total")
                     .Help("Authorization decisions by route, result (allow, deny) and reason (the deciding rule, "
                           "default_deny or justification_required)")
                     .Register(*registry_)),
      break_glass_(BuildCounter()
                       .Name("vigie_break_glass_total")
                       .Help("Emergency (break-glass) accesses granted, by route")
                       .Register(*registry_)),
      audit_counters_(BuildCounter()
                          .Name("vigie_audit_total")
                          .Help("Audit trail counters by stream and kind (records, bytes, failures, dropped)")
                          .Register(*registry_)),
      audit_sync_(BuildHistogram()
                      .Name("vigie_audit_fsync_seconds")
                      .Help("Time of one fdatasync of an audit file, by stream")
                      .Register(*registry_)),
      audit_batch_(BuildHistogram()
                       .Name("vigie_audit_batch_records")
                       .Help("Records written per batch (group commit), by stream")
                       .Register(*registry_)),
      audit_gauges_(BuildGauge()
                        .Name("vigie_audit_state")
                        .Help("Audit trail state by stream: queue_depth, healthy (1 or 0), last_sequence")
                        .Register(*registry_)),
      loki_records_(BuildCounter()
                        .Name("vigie_audit_loki_records_total")
                        .Help("Audit records shipped to Loki by stream and result (pushed, or rejected by Loki "
                              "and kept in the spool's .rejected file)")
                        .Register(*registry_)),
      loki_failures_(BuildCounter()
                         .Name("vigie_audit_loki_push_failures_total")
                         .Help("Failed pushes to Loki by stream and kind; the records stay spooled and are retried")
                         .Register(*registry_)),
      loki_spool_(BuildGauge()
                      .Name("vigie_audit_loki_spool_bytes")
                      .Help("Bytes in the audit spool that Loki does not have yet, by stream")
                      .Register(*registry_)),
      loki_push_(BuildHistogram()
                     .Name("vigie_audit_loki_push_seconds")
                     .Help("Time of one push to Loki, connect to answer, by stream")
                     .Register(*registry_)) {}

AuditMetrics Metrics::audit(const std::string& stream) {
  static const prometheus::Histogram::BucketBoundaries kBatch = {1, 2, 4, 8, 16, 32, 64, 128, 256, 1024};
  AuditMetrics m;
  m.records = &audit_counters_.Add({{"stream", stream}, {"kind", "records"}});
  m.bytes = &audit_counters_.Add({{"stream", stream}, {"kind", "bytes"}});
  m.failures = &audit_counters_.Add({{"stream", stream}, {"kind", "failures"}});
  m.dropped = &audit_counters_.Add({{"stream", stream}, {"kind", "dropped"}});
  m.sync_seconds = &audit_sync_.Add({{"stream", stream}}, latency_buckets());
  m.batch_records = &audit_batch_.Add({{"stream", stream}}, kBatch);
  m.queue_depth = &audit_gauges_.Add({{"stream", stream}, {"kind", "queue_depth"}});
  m.healthy = &audit_gauges_.Add({{"stream", stream}, {"kind", "healthy"}});
  m.last_sequence = &audit_gauges_.Add({{"stream", stream}, {"kind", "last_sequence"}});
  return m;
}

LokiMetrics Metrics::loki(const std::string& stream) {
  static constexpr std::array<const char*, static_cast<size_t>(LokiFailure::Count)> kKinds = {
      "connect", "timeout", "tls", "io", "throttled", "server", "refused"};
  LokiMetrics m;
  m.pushed = &loki_records_.Add({{"stream", stream}, {"result", "pushed"}});
  m.rejected = &loki_records_.Add({{"stream", stream}, {"result", "rejected"}});
  for (size_t i = 0; i < kKinds.size(); ++i) m.failures[i] = &loki_failures_.Add({{"stream", stream}, {"kind", kKinds[i]}});
  m.spool_bytes = &loki_spool_.Add({{"stream", stream}});
  m.push_seconds = &loki_push_.Add({{"stream", stream}}, latency_buckets());
  return m;
}

RouteMetrics Metrics::route(const std::string& route_id) {
  RouteMetrics m;
  for (size_t mi = 0; mi < kMethodNames.size(); ++mi) {
    for (size_t si = 0; si < kStatusClasses.size(); ++si) {
      m.requests[mi][si] =
          &requests_.Add({{"route", route_id}, {"method", kMethodNames[mi]}, {"status", kStatusClasses[si]}});
    }
  }
  m.duration = &duration_.Add({{"route", route_id}}, latency_buckets());
  return m;
}

DecisionMetrics Metrics::decisions(const std::string& route_id,
                                   const std::vector<std::pair<std::string, bool>>& rules) {
  DecisionMetrics m;
  for (const auto& [name, allow] : rules) {
    m.by_rule.push_back(&decisions_.Add({{"route", route_id}, {"result", allow ? "allow" : "deny"}, {"reason", name}}));
  }
  m.default_deny = &decisions_.Add({{"route", route_id}, {"result", "deny"}, {"reason", "default_deny"}});
  m.justification_required =
      &decisions_.Add({{"route", route_id}, {"result", "deny"}, {"reason", "justification_required"}});
  m.break_glass = &break_glass_.Add({{"route", route_id}});
  return m;
}

ClusterMetrics Metrics::cluster(const std::string& name) {
  ClusterMetrics m;
  m.response_time = &upstream_time_.Add({{"cluster", name}}, latency_buckets());
  m.connect_errors = &upstream_errors_.Add({{"cluster", name}, {"kind", "connect"}});
  m.timeouts = &upstream_errors_.Add({{"cluster", name}, {"kind", "timeout"}});
  m.overflow = &upstream_errors_.Add({{"cluster", name}, {"kind", "overflow"}});
  m.bad_responses = &upstream_errors_.Add({{"cluster", name}, {"kind", "bad_response"}});
  return m;
}

std::string Metrics::serialize() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace vigie::observe
