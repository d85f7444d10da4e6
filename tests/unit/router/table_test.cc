#include "router/table.h"

#include <gtest/gtest.h>

#include "config/loader.h"

namespace vigie::router {
namespace {

std::shared_ptr<const config::Config> load(const std::string& routes) {
  auto c = config::load_string("listeners: [{port: 1}]\nclusters:\n  - {name: a, endpoints: [\"http://h\"]}\n"
                               "  - {name: b, endpoints: [\"http://h\"]}\nroutes:\n" + routes, "t.yaml");
  EXPECT_TRUE(c) << (c ? "" : c.error()[0].to_string());
  return *c;
}

struct Case {
  const char* host;
  const char* path;
  const char* method;
  const char* route;  // "" = no match
};

TEST(Table, first_match_in_config_order_within_the_host) {
  auto cfg = load(
      "  - {id: exact, host: app.test, path: {exact: /login}, cluster: a, auth: public}\n"
      "  - {id: api-get, host: app.test, path: {prefix: /api/}, methods: [GET, HEAD], cluster: a, auth: public}\n"
      "  - {id: api-any, host: app.test, path: {prefix: /api/}, cluster: b, auth: public}\n"
      "  - {id: deep-wild, host: \"*.eu.example.org\", path: {prefix: /}, cluster: a, auth: public}\n"
      "  - {id: wild, host: \"*.example.org\", path: {regex: \"/v[0-9]+/.*\"}, cluster: b, auth: public}\n"
      "  - {id: any, path: {prefix: /health}, cluster: a, auth: public}\n");
  Table t(*cfg);
  const Case cases[] = {
      {"app.test", "/login", "GET", "exact"},
      {"app.test", "/login/", "GET", ""},
      {"app.test", "/api/x", "GET", "api-get"},
      {"app.test", "/api/x", "DELETE", "api-any"},
      {"app.test", "/api/x", "PROPFIND", "api-any"},
      {"app.test", "/health", "GET", "any"},
      {"x.eu.example.org", "/v1/a", "GET", "deep-wild"},
      {"x.example.org", "/v1/a", "GET", "wild"},
      {"x.example.org", "/v1", "GET", ""},
      {"example.org", "/v1/a", "GET", ""},
      {"other.test", "/health/live", "GET", "any"},
      {"other.test", "/api/x", "GET", ""},
  };
  for (const auto& c : cases) {
    const Route* r = t.match(c.host, c.path, c.method);
    std::string got = r ? r->cfg->id : "";
    EXPECT_EQ(got, c.route) << c.method << " " << c.host << c.path;
  }
}

TEST(Table, wildcard_routes_still_apply_to_hosts_with_exact_routes) {
  auto cfg = load(
      "  - {id: exact, host: a.example.org, path: {exact: /x}, cluster: a, auth: public}\n"
      "  - {id: deeper, host: \"*.eu.example.org\", path: {prefix: /eu}, cluster: b, auth: public}\n"
      "  - {id: wild, host: \"*.example.org\", path: {prefix: /}, cluster: b, auth: public}\n");
  Table t(*cfg);
  EXPECT_EQ(t.match("a.example.org", "/x", "GET")->cfg->id, "exact");
  EXPECT_EQ(t.match("a.example.org", "/y", "GET")->cfg->id, "wild");
  EXPECT_EQ(t.match("x.eu.example.org", "/eu/1", "GET")->cfg->id, "deeper");
  EXPECT_EQ(t.match("x.eu.example.org", "/other", "GET")->cfg->id, "wild");
}

TEST(Table, route_knows_its_cluster_index) {
  auto cfg = load("  - {id: r, path: {prefix: /}, cluster: b, auth: public}\n");
  Table t(*cfg);
  EXPECT_EQ(t.match("h", "/", "GET")->cluster, 1u);
}

TEST(MethodBit, known_methods_have_distinct_bits) {
  EXPECT_NE(method_bit("GET"), method_bit("HEAD"));
  EXPECT_EQ(method_bit("MKCOL"), method_bit("PROPFIND"));
  EXPECT_NE(method_bit("get"), method_bit("GET"));  // methods are case-sensitive
}

}  // namespace
}  // namespace vigie::router
