// Prometheus metrics. Families are registered once at start-up; per-route and per-cluster handles are
// created when a config snapshot is built (main thread) and cached in it, so the request path only
// increments pointers it already holds. prometheus-cpp metric objects are thread-safe.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigie::observe {

// Methods are bucketed so the label set is bounded whatever clients send.
enum class MethodClass { Get, Head, Post, Put, Patch, Delete, Options, Other, Count };
[[nodiscard]] MethodClass method_class(std::string_view method);

struct RouteMetrics {
  // [method class][status class 1xx..5xx]
  std::array<std::array<prometheus::Counter*, 5>, static_cast<size_t>(MethodClass::Count)> requests{};
  prometheus::Histogram* duration = nullptr;  // seconds, whole request
  void record(std::string_view method, int status, double seconds) const;
};

// Authorization decisions of one route: one counter per rule of its policy (result allow or deny as
// the rule says), one for "no rule allowed", one for "a break-glass rule needs a justification".
struct DecisionMetrics {
  std::vector<prometheus::Counter*> by_rule;  // parallel to the policy's rules
  prometheus::Counter* default_deny = nullptr;
  prometheus::Counter* justification_required = nullptr;
  prometheus::Counter* break_glass = nullptr;  // break-glass accesses granted (also counted by rule)
};

struct ClusterMetrics {
  prometheus::Histogram* response_time = nullptr;  // seconds until the upstream response header
  prometheus::Counter* connect_errors = nullptr;
  prometheus::Counter* timeouts = nullptr;
  prometheus::Counter* overflow = nullptr;  // refused: max_connections reached
  prometheus::Counter* bad_responses = nullptr;  // reset, EOF or invalid before a complete header
};

// One audit stream (patient, security): the writer thread updates these.
struct AuditMetrics {
  prometheus::Counter* records = nullptr;        // records durably written (or queued, for async)
  prometheus::Counter* bytes = nullptr;
  prometheus::Counter* failures = nullptr;       // failed writes or syncs
  prometheus::Counter* dropped = nullptr;        // async records lost: the queue was full while failing
  prometheus::Histogram* sync_seconds = nullptr; // fdatasync latency
  prometheus::Histogram* batch_records = nullptr;  // records per write (group commit)
  prometheus::Gauge* queue_depth = nullptr;
  prometheus::Gauge* healthy = nullptr;          // 1 accepting records, 0 failing (patient requests get 503)
  prometheus::Gauge* last_sequence = nullptr;    // for an outside witness of the chain's head
};

// Why a push to Loki failed; the records stay in the spool and are pushed again.
enum class LokiFailure {
  Connect,    // name did not resolve, connection refused or unreachable
  Timeout,    // no complete answer within the push timeout
  Tls,        // handshake or certificate verification failed
  Io,         // connection broken mid-exchange, or an answer that is not HTTP
  Throttled,  // 429: over Loki's ingestion limits
  Server,     // 5xx
  Refused,    // another 4xx that is not about the data (401, 403, 404...): configuration
  Count
};

// The Loki shipper of one audit stream: its own thread updates these.
struct LokiMetrics {
  prometheus::Counter* pushed = nullptr;    // records Loki accepted
  prometheus::Counter* rejected = nullptr;  // records Loki refused (400), kept in the spool's .rejected file
  std::array<prometheus::Counter*, static_cast<size_t>(LokiFailure::Count)> failures{};
  prometheus::Gauge* spool_bytes = nullptr;       // bytes written to the spool that Loki does not have yet
  prometheus::Histogram* push_seconds = nullptr;  // one push, connect to answer
};

class Metrics {
  std::shared_ptr<prometheus::Registry> registry_;  // first: every member below registers in it

 public:
  Metrics();
  [[nodiscard]] RouteMetrics route(const std::string& route_id);
  [[nodiscard]] ClusterMetrics cluster(const std::string& name);
  // `rules`: (name, allow) of each rule of the route's policy, in order.
  [[nodiscard]] DecisionMetrics decisions(const std::string& route_id,
                                          const std::vector<std::pair<std::string, bool>>& rules);
  [[nodiscard]] AuditMetrics audit(const std::string& stream);
  [[nodiscard]] LokiMetrics loki(const std::string& stream);
  [[nodiscard]] std::string serialize() const;  // Prometheus text format

  prometheus::Gauge& active_connections;
  prometheus::Counter& connections_total;
  prometheus::Counter& connections_refused;  // over limits.max_connections
  prometheus::Counter& bytes_in;
  prometheus::Counter& bytes_out;
  prometheus::Counter& reloads_ok;
  prometheus::Counter& reloads_failed;
  prometheus::Counter& local_replies_no_route;
  prometheus::Counter& bad_requests;  // refused before routing (malformed, limits)
  prometheus::Counter& audit_refused;  // patient-data requests answered 503: the audit trail could not write

 private:
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& duration_;
  prometheus::Family<prometheus::Histogram>& upstream_time_;
  prometheus::Family<prometheus::Counter>& upstream_errors_;
  prometheus::Family<prometheus::Counter>& decisions_;
  prometheus::Family<prometheus::Counter>& break_glass_;
  prometheus::Family<prometheus::Counter>& audit_counters_;
  prometheus::Family<prometheus::Histogram>& audit_sync_;
  prometheus::Family<prometheus::Histogram>& audit_batch_;
  prometheus::Family<prometheus::Gauge>& audit_gauges_;
  prometheus::Family<prometheus::Counter>& loki_records_;
  prometheus::Family<prometheus::Counter>& loki_failures_;
  prometheus::Family<prometheus::Gauge>& loki_spool_;
  prometheus::Family<prometheus::Histogram>& loki_push_;
};

}  // namespace vigie::observe
