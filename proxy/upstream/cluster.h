// A cluster as workers use it: its config, the TLS client context shared by its https endpoints, the
// pool key of each endpoint and its metric handles. Built with the snapshot on the main thread;
// immutable afterwards and shared by all workers.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "observe/metrics.h"

namespace vigie::upstream {

struct Cluster {
  // Throws std::runtime_error when the CA file cannot be loaded (config-load boundary).
  Cluster(const config::Cluster& cfg, unsigned workers, observe::Metrics& metrics);

  const config::Cluster* cfg;
  std::shared_ptr<boost::asio::ssl::context> tls;  // null when no endpoint is https
  std::vector<std::string> keys;                    // endpoint pool keys, parallel to cfg->endpoints
  uint32_t max_per_worker;
  observe::ClusterMetrics metrics;
};

}  // namespace vigie::upstream
