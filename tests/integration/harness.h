// Shared pieces of the integration tests: a config builder for Vigie in front of one or more
// recording upstreams, and small helpers to read JSON echoes.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "support/client.h"
#include "support/upstream.h"
#include "support/vigie_process.h"

namespace vigie::testing {

struct ConfigOptions {
  uint16_t upstream_port = 0;
  std::string listener_extra;  // appended inside the listener mapping (e.g. a tls block)
  std::string top_extra;       // appended at top level (limits, timeouts, trusted_proxies…)
  std::string cluster_extra;   // appended inside the cluster mapping
  std::string routes;          // replaces the default catch-all route when set
  int workers = 2;
};

inline std::string make_config(const ConfigOptions& o) {
  std::string y = "workers: " + std::to_string(o.workers) +
                  "\n"
                  "listeners:\n"
                  "  - name: http\n"
                  "    address: 127.0.0.1\n"
                  "    port: 0\n" +
                  o.listener_extra +
                  "admin: {address: 127.0.0.1, port: 0}\n"
                  "access_log: {path: \"off\"}\n"
                  "clusters:\n"
                  "  - name: app\n"
                  "    endpoints: [\"http://127.0.0.1:" +
                  std::to_string(o.upstream_port) + "\"]\n" + o.cluster_extra + "routes:\n";
  if (o.routes.empty()) {
    y += "  - id: ws\n    path: {prefix: /ws}\n    cluster: app\n    websocket: true\n    auth: public\n";
    y += "  - id: all\n    path: {prefix: /}\n    cluster: app\n    auth: public\n";
  } else {
    y += o.routes;
  }
  y += o.top_extra;
  return y;
}

// The echo JSON the upstream sends back, parsed.
inline nlohmann::json echo(const Response& r) { return nlohmann::json::parse(r.body()); }

}  // namespace vigie::testing
