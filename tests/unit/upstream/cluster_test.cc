#include "upstream/cluster.h"

#include <gtest/gtest.h>

namespace vigie::upstream {
namespace {

TEST(Cluster, https_endpoints_get_a_verifying_client_context) {
  config::Cluster c;
  c.name = "mixed";
  c.endpoints = {{false, "a", 80}, {true, "b", 443}};
  c.max_connections = 5;
  observe::Metrics m;
  Cluster cl(c, 2, m);
  ASSERT_NE(cl.tls, nullptr);
  EXPECT_EQ(cl.keys, (std::vector<std::string>{"http://a:80", "https://b:443"}));
  EXPECT_EQ(cl.max_per_worker, 3u);
  EXPECT_NE(cl.metrics.connect_errors, nullptr);
}

}  // namespace
}  // namespace vigie::upstream
