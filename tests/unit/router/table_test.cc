#include "router/table.h"

#include <gtest/gtest.h>

#include <random>
#include <span>

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

void expect_matches(const Table& t, std::span<const Case> cases) {
  for (const auto& c : cases) {
    const Route* r = t.match(c.host, c.path, c.method);
    std::string got = r ? r->cfg->id : "";
    EXPECT_EQ(got, c.route) << c.method << " " << c.host << c.path;
  }
}

// Buckets by first path segment ("openmrs", "api", "" for "/"), loose routes (regexes, "/", prefixes
// ending inside the first segment) interleaved with them in config order.
TEST(Table, path_index_keeps_config_order_across_buckets_and_loose_routes) {
  auto cfg = load(
      "  - {id: exact-openmrs, host: app.test, path: {exact: /openmrs}, cluster: a, auth: public}\n"
      "  - {id: loose-open, host: app.test, path: {prefix: /open}, methods: [POST],\n"
      "     cluster: a, auth: public}\n"
      "  - {id: ws, host: app.test, path: {prefix: /openmrs/ws/}, cluster: a, auth: public}\n"
      "  - {id: rest-regex, host: app.test, path: {regex: \"/openmrs/ws/rest/.*\"},\n"
      "     cluster: a, auth: public}\n"
      "  - {id: loose-openmrs, host: app.test, path: {prefix: /openmrs}, cluster: a, auth: public}\n"
      "  - {id: version-regex, host: app.test, path: {regex: \"/[a-z]+/v[0-9]+\"},\n"
      "     cluster: a, auth: public}\n"
      "  - {id: api, host: app.test, path: {prefix: /api/v1/}, cluster: a, auth: public}\n"
      "  - {id: star-regex, host: app.test, path: {regex: \"\\\\*\"}, cluster: a, auth: public}\n"
      "  - {id: root-exact, host: app.test, path: {exact: /}, cluster: a, auth: public}\n"
      "  - {id: catch-all, host: app.test, path: {prefix: /}, cluster: b, auth: public}\n");
  Table t(*cfg);
  const Case cases[] = {
      {"app.test", "/openmrs", "GET", "exact-openmrs"},
      {"app.test", "/openmrs/ws/x", "POST", "loose-open"},  // loose route before a bucket route
      {"app.test", "/openmrs/ws/x", "GET", "ws"},
      {"app.test", "/openmrs/ws/rest/v1", "GET", "ws"},  // bucket route before a loose regex
      {"app.test", "/openmrs/other", "GET", "loose-openmrs"},
      {"app.test", "/openmrsX", "GET", "loose-openmrs"},  // a plain prefix: no bucket "openmrsX"
      {"app.test", "/openmrsX/ws/", "POST", "loose-open"},
      {"app.test", "/opera", "GET", "catch-all"},
      {"app.test", "/api/v1", "GET", "version-regex"},  // loose regex before the bucket's prefix
      {"app.test", "/api/v1/users", "GET", "api"},
      {"app.test", "/api", "GET", "catch-all"},  // no second segment
      {"app.test", "/svc/v2", "GET", "version-regex"},  // no bucket: the loose list still has the regex
      {"app.test", "/", "GET", "root-exact"},
      {"app.test", "//x", "GET", "catch-all"},  // empty first segment: the bucket of exact "/"
      {"app.test", "/x", "GET", "catch-all"},
      {"app.test", "*", "OPTIONS", "star-regex"},  // not absolute: only regexes can match
      {"app.test", "", "GET", ""},
  };
  expect_matches(t, cases);
}

// The host's list merges exact-host, wildcard and any-host routes before it is indexed by segment.
TEST(Table, path_index_keeps_config_order_across_host_kinds) {
  auto cfg = load(
      "  - {id: any-admin, path: {prefix: /app/admin/}, cluster: a, auth: public}\n"
      "  - {id: host-app, host: app.test, path: {prefix: /app/}, cluster: a, auth: public}\n"
      "  - {id: wild-loose, host: \"*.test\", path: {prefix: /ap}, cluster: a, auth: public}\n"
      "  - {id: any-regex, path: {regex: \"/app.*[.]css\"}, cluster: a, auth: public}\n"
      "  - {id: wild-api, host: \"*.test\", path: {exact: /api}, cluster: a, auth: public}\n"
      "  - {id: any-root, path: {prefix: /}, cluster: b, auth: public}\n");
  Table t(*cfg);
  const Case cases[] = {
      {"app.test", "/app/admin/x", "GET", "any-admin"},
      {"app.test", "/app/x.css", "GET", "host-app"},
      {"app.test", "/apple.css", "GET", "wild-loose"},
      {"app.test", "/api", "GET", "wild-loose"},
      {"other.test", "/app/x.css", "GET", "wild-loose"},
      {"other.org", "/app/x.css", "GET", "any-regex"},
      {"other.org", "/app/admin/", "GET", "any-admin"},
      {"other.org", "/api", "GET", "any-root"},
  };
  expect_matches(t, cases);
}

// The route a walk of every route in config order finds: what Table must return, bucketed or not.
const Route* naive_match(const Table& t, std::string_view host, std::string_view path,
                         std::string_view method) {
  for (const Route& r : t.routes()) {
    const std::string& h = r.cfg->host;
    std::string_view suffix = h.starts_with("*.") ? std::string_view(h).substr(1) : "";
    bool wildcard_ok = !suffix.empty() && host.size() > suffix.size() && host.ends_with(suffix);
    if (!h.empty() && h != host && !wildcard_ok) continue;
    if (r.methods != 0 && (r.methods & core::method_bit(method)) == 0) continue;
    if (r.matches_path(path)) return &r;
  }
  return nullptr;
}

TEST(Table, path_index_agrees_with_a_linear_walk_on_random_routes) {
  std::mt19937 rng(20240611);
  auto pick = [&](const auto& options) { return options[rng() % std::size(options)]; };
  // Few, overlapping segments so that buckets collide with each other and with loose prefixes.
  const std::string segs[] = {"a", "ab", "abc", "b", "ba", "c"};
  auto path = [&](int max_depth) {
    std::string p;
    for (int d = 1 + static_cast<int>(rng() % max_depth); d > 0; --d) p += "/" + pick(segs);
    return p + (rng() % 3 == 0 ? "/" : "");
  };
  const std::string route_hosts[] = {"", "", "h1.test", "h2.test", "*.test", "*.x.test"};
  const std::string regexes[] = {"/ab/.*c", "/(b|c)/.*", "/[a-c]+", "/ab/[0-9]+", ".*/c$"};
  const std::string methods[] = {"", "", "[GET]", "[POST, PUT]"};
  std::string yaml;
  for (int i = 0; i < 3000; ++i) {
    std::string kind = rng() % 2 ? "prefix" : "exact", value = path(3);
    // Rare: catch-alls shadow every later route of their hosts.
    if (auto n = rng() % 1000; n == 0) kind = "prefix", value = "/";
    else if (n < 3) kind = "exact", value = "/";
    else if (n < 5) value = "//";
    else if (n < 15) kind = "regex", value = pick(regexes);
    std::string host = pick(route_hosts);
    yaml += "  - {id: r" + std::to_string(i) + (host.empty() ? "" : ", host: \"" + host + "\"") +
            ", path: {" + kind + ": \"" + value + "\"}" +
            (methods[i % 4].empty() ? "" : ", methods: " + methods[i % 4]) + ", cluster: a, auth: public}\n";
  }
  auto cfg = load(yaml);
  Table t(*cfg);
  const std::string hosts[] = {"h1.test", "h2.test", "a.x.test", "z.test", "other.org"};
  const std::string request_methods[] = {"GET", "POST", "DELETE"};
  int hits = 0;
  for (int i = 0; i < 5000; ++i) {
    std::string host = pick(hosts), method = pick(request_methods), p = path(4);
    if (auto n = rng() % 100; n == 0) p = "/";
    else if (n == 1) p = "/" + p;  // an empty first segment
    const Route* want = naive_match(t, host, p, method);
    const Route* got = t.match(host, p, method);
    ASSERT_EQ(got ? got->cfg->id : "none", want ? want->cfg->id : "none") << method << " " << host << p;
    hits += want != nullptr;
  }
  EXPECT_GT(hits, 1000);  // the requests exercise matches, not only misses
  EXPECT_LT(hits, 5000);
}

TEST(Table, route_knows_its_cluster_index) {
  auto cfg = load("  - {id: r, path: {prefix: /}, cluster: b, auth: public}\n");
  Table t(*cfg);
  EXPECT_EQ(t.match("h", "/", "GET")->cluster, 1u);
}

TEST(MethodBit, known_methods_have_distinct_bits) {
  EXPECT_NE(core::method_bit("GET"), core::method_bit("HEAD"));
  EXPECT_EQ(core::method_bit("MKCOL"), core::method_bit("PROPFIND"));
  EXPECT_NE(core::method_bit("get"), core::method_bit("GET"));  // methods are case-sensitive
}

}  // namespace
}  // namespace vigie::router
