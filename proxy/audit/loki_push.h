// Loki's push API as the audit shipper speaks it: the JSON body of one stream, the timestamp of a
// record line, and a blocking client that posts a body to /loki/api/v1/push under one deadline and
// sorts the answer into accepted, rejected (about the data: Loki will never take it) or retry.
// The free functions are pure (any thread). A LokiClient belongs to one LokiSink and is used by its
// shipper thread only; interrupt() may be called from any thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/url.h"
#include "observe/metrics.h"

namespace vigie::audit {

// Nanoseconds since the epoch of an ISO-8601 date-time with a zone ("2026-12-04T16:30:05.123Z",
// "...+01:00"); nullopt otherwise.
[[nodiscard]] std::optional<int64_t> parse_iso8601_ns(std::string_view text);

// The time of a record line: its top-level "time" (JSON lines) or "recorded" (FHIR AuditEvent), in
// nanoseconds since the epoch; nullopt when it has neither.
[[nodiscard]] std::optional<int64_t> record_time_ns(std::string_view line);

// Loki's label names: [a-zA-Z_][a-zA-Z0-9_]*, and not "__..." (reserved for Loki itself).
[[nodiscard]] bool valid_label_name(std::string_view name);

struct LokiEntry {
  int64_t ts_ns = 0;
  std::string_view line;  // without its '\n'
};

// {"streams":[{"stream":{labels},"values":[["<ns>","<line>"],...]}]}
[[nodiscard]] std::string push_body(const std::map<std::string, std::string>& labels,
                                    const std::vector<LokiEntry>& entries);

// base + "/loki/api/v1/push" ("http://loki:3100" or "https://gw.example/loki-tenant-a/"); nullopt
// when `base` is not an http(s) URL or carries a query.
[[nodiscard]] std::optional<core::Url> push_url(std::string_view base);

struct PushOutcome {
  enum class Kind {
    Accepted,  // 2xx: Loki has the batch
    Rejected,  // 400: Loki refused the entries themselves (too old, too long, bad labels)
    Retry,     // anything else: the batch stays spooled and is pushed again
  };
  Kind kind = Kind::Retry;
  observe::LokiFailure failure = observe::LokiFailure::Io;  // Retry only
  int status = 0;       // 0 when no answer came
  std::string detail;   // the start of Loki's answer, or the transport error
};

// What an answer means. Only 400 condemns the data: 401/403/404/413 and the like are configuration
// or size problems that a fixed Loki will accept, so those batches wait rather than being set aside.
[[nodiscard]] PushOutcome classify(int status, std::string_view body);

class LokiClient {
 public:
  struct Options {
    core::Url url;        // the push URL
    std::string tenant;   // X-Scope-OrgID, empty: none
    std::string token;    // Authorization: Bearer, empty: none
    std::string ca_file;  // https: empty = the system trust store
    std::chrono::milliseconds timeout{10000};  // one push: resolve, connect, handshake, send, answer
  };
  // Throws std::runtime_error when the CA file cannot be loaded (start-up).
  explicit LokiClient(Options o);
  LokiClient(const LokiClient&) = delete;
  LokiClient& operator=(const LokiClient&) = delete;

  // One POST on a fresh connection; blocks the calling (shipper) thread up to the timeout.
  [[nodiscard]] PushOutcome push(const std::string& body);
  // Makes a push in progress, and every later one, return at once as a Retry (shutdown).
  void interrupt();

 private:
  Options opt_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  boost::asio::io_context io_;
  std::mutex mu_;
  bool interrupted_ = false;  // guarded by mu_
};

}  // namespace vigie::audit
