#include "http/snapshot.h"

namespace vigie::http {

Snapshot::Snapshot(std::shared_ptr<const config::Config> cfg, observe::Metrics& metrics, unsigned workers,
                   oidc::IssuerRegistry& issuers)
    : config(std::move(cfg)), routes(*config), pipeline(Pipeline::standard()) {
  if (config->identity) auth = std::make_unique<const authn::Service>(*config->identity, issuers);
  if (config->audit.enabled) patient_ids.emplace(config->audit.patient_ids);
  clusters.reserve(config->clusters.size());
  for (const auto& c : config->clusters) clusters.emplace_back(c, workers, metrics);
  for (const auto& r : config->routes) {
    route_metrics.push_back(metrics.route(r.id));
    std::vector<std::pair<std::string, bool>> rules;
    if (r.auth != config::AuthMode::Public) {
      for (const auto& rule : config->authorization.policies[r.policy_index].rules) rules.emplace_back(rule.name, rule.allow);
    }
    decision_metrics.push_back(r.auth == config::AuthMode::Public ? observe::DecisionMetrics{}
                                                                  : metrics.decisions(r.id, rules));
  }
}

std::shared_ptr<const Snapshot> build_snapshot(std::shared_ptr<const config::Config> cfg, observe::Metrics& metrics,
                                               unsigned workers, oidc::IssuerRegistry& issuers) {
  return std::make_shared<const Snapshot>(std::move(cfg), metrics, workers, issuers);
}

}  // namespace vigie::http
