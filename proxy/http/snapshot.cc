#include "http/snapshot.h"

namespace vigie::http {

Snapshot::Snapshot(std::shared_ptr<const config::Config> cfg, observe::Metrics& metrics, unsigned workers)
    : config(std::move(cfg)), routes(*config), pipeline(Pipeline::standard()) {
  clusters.reserve(config->clusters.size());
  for (const auto& c : config->clusters) clusters.emplace_back(c, workers, metrics);
  for (const auto& r : config->routes) route_metrics.push_back(metrics.route(r.id));
}

std::shared_ptr<const Snapshot> build_snapshot(std::shared_ptr<const config::Config> cfg, observe::Metrics& metrics,
                                               unsigned workers) {
  return std::make_shared<const Snapshot>(std::move(cfg), metrics, workers);
}

}  // namespace vigie::http
