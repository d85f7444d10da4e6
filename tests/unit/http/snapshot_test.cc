#include "http/snapshot.h"

#include <gtest/gtest.h>

#include "config/loader.h"

namespace vigie::http {
namespace {

TEST(Snapshot, compiles_routes_clusters_and_metric_handles) {
  auto cfg = config::load_string(
      "listeners: [{port: 1}]\nclusters: [{name: a, endpoints: [\"http://h:1\", \"http://h:2\"], "
      "max_connections: 10}]\nroutes: [{id: r, path: {prefix: /}, cluster: a, auth: public}]\n",
      "s.yaml");
  ASSERT_TRUE(cfg);
  observe::Metrics m;
  oidc::IssuerRegistry issuers;
  auto snap = build_snapshot(*cfg, m, 4, issuers);
  ASSERT_EQ(snap->clusters.size(), 1u);
  EXPECT_EQ(snap->clusters[0].keys[1], "http://h:2");
  EXPECT_EQ(snap->clusters[0].max_per_worker, 3u);  // 10 split over 4 workers, rounded up
  EXPECT_EQ(snap->clusters[0].tls, nullptr);
  ASSERT_EQ(snap->route_metrics.size(), 1u);
  snap->route_metrics[0].record("GET", 204, 0.001);
  EXPECT_NE(m.serialize().find("vigie_requests_total{method=\"GET\",route=\"r\",status=\"2xx\"} 1"),
            std::string::npos);
  EXPECT_NE(snap->routes.match("h", "/x", "GET"), nullptr);
}

TEST(Snapshot, unreadable_ca_file_is_a_load_error) {
  config::Config c;
  config::Cluster cl;
  cl.name = "x";
  cl.endpoints.push_back({true, "h", 443});
  cl.tls.ca_file = "/nonexistent/ca.pem";
  c.clusters.push_back(cl);
  observe::Metrics m;
  oidc::IssuerRegistry issuers;
  EXPECT_THROW((void)build_snapshot(std::make_shared<config::Config>(c), m, 1, issuers), std::runtime_error);
}

}  // namespace
}  // namespace vigie::http
