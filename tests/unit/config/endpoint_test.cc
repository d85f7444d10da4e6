#include <gtest/gtest.h>

#include "config/config.h"

namespace vigie::config {
namespace {

TEST(Endpoint, key_names_scheme_host_and_port) {
  EXPECT_EQ((Endpoint{true, "grafana.internal", 3000}.key()), "https://grafana.internal:3000");
  EXPECT_EQ((Endpoint{false, "::1", 80}.key()), "http://::1:80");
}

}  // namespace
}  // namespace vigie::config
