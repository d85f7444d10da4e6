// A config snapshot as workers use it: the validated Config plus everything compiled from it (route
// table, clusters with TLS contexts, metric handles, the stage pipeline). Built on the main thread at
// start-up and reload, published to workers as shared_ptr<const Snapshot>; a request pins the snapshot
// it started with until its last byte.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "audit/patient_ids.h"
#include "authn/service.h"
#include "config/config.h"
#include "oidc/issuer.h"
#include "http/pipeline.h"
#include "observe/metrics.h"
#include "router/table.h"
#include "upstream/cluster.h"

namespace vigie::http {

struct Snapshot {
  Snapshot(std::shared_ptr<const config::Config> cfg, observe::Metrics& metrics, unsigned workers,
           oidc::IssuerRegistry& issuers);

  std::shared_ptr<const config::Config> config;
  router::Table routes;
  std::vector<upstream::Cluster> clusters;
  std::vector<observe::RouteMetrics> route_metrics;  // parallel to config->routes
  std::vector<observe::DecisionMetrics> decision_metrics;  // parallel to config->routes
  Pipeline pipeline;
  std::unique_ptr<const authn::Service> auth;  // null without an identity section
  std::optional<audit::PatientIds> patient_ids;  // with an audit section
};

// Throws std::runtime_error naming the file when a TLS file or an identity secret cannot be used.
[[nodiscard]] std::shared_ptr<const Snapshot> build_snapshot(std::shared_ptr<const config::Config> cfg,
                                                             observe::Metrics& metrics, unsigned workers,
                                                             oidc::IssuerRegistry& issuers);

}  // namespace vigie::http
