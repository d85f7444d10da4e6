#include "config/loader.h"

#include <gtest/gtest.h>

namespace vigie::config {
namespace {

const std::string kValid = R"(workers: 2
listeners:
  - name: http
    address: 127.0.0.1
    port: 8080
clusters:
  - name: app
    endpoints: ["http://127.0.0.1:9000", "https://app.internal"]
    timeouts: {connect: 500ms, response_header: 10s, idle: 30s}
    max_connections: 64
routes:
  - id: api
    host: "*.example.org"
    path: {prefix: /api/}
    methods: [GET, POST]
    cluster: app
    rewrite: {prefix: /}
    max_body_bytes: 1024
    auth: public
  - id: ws
    path: {regex: "/ws/[a-z]+"}
    cluster: app
    websocket: true
    auth: public
trusted_proxies: [10.0.0.0/8, "fd00::/8"]
limits: {max_connections: 100, request_line_bytes: 4096}
timeouts: {request_header: 5s, drain: 10s}
admin: {address: 127.0.0.1, port: 9901}
access_log: {path: "off"}
)";

TEST(Loader, valid_config_is_typed) {
  auto c = load_string(kValid, "v.yaml");
  ASSERT_TRUE(c) << c.error()[0].to_string();
  const Config& cfg = **c;
  EXPECT_EQ(cfg.workers, 2u);
  ASSERT_EQ(cfg.clusters[0].endpoints.size(), 2u);
  EXPECT_EQ(cfg.clusters[0].endpoints[1].port, 443);
  EXPECT_TRUE(cfg.clusters[0].endpoints[1].tls);
  EXPECT_EQ(cfg.clusters[0].endpoints[0].key(), "http://127.0.0.1:9000");
  EXPECT_EQ(cfg.clusters[0].connect_timeout.count(), 500);
  EXPECT_EQ(cfg.routes[0].host, "*.example.org");
  EXPECT_EQ(cfg.routes[0].rewrite_prefix, "/");
  EXPECT_EQ(cfg.routes[0].max_body_bytes, 1024u);
  EXPECT_EQ(cfg.routes[0].line, 12);
  EXPECT_EQ(cfg.routes[1].path_match, PathMatch::Regex);
  EXPECT_TRUE(cfg.routes[1].websocket);
  EXPECT_EQ(cfg.limits.request_line_bytes, 4096u);
  EXPECT_EQ(cfg.limits.header_bytes, 32768u);  // default kept
  EXPECT_EQ(cfg.timeouts.drain.count(), 10000);
  EXPECT_EQ(cfg.access_log.path, "off");
}

struct BadCase {
  const char* name;
  std::string from;  // replaced in kValid
  std::string to;
  int line;
  std::string key;
  std::string message_part;
};

class LoaderErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(LoaderErrors, names_file_line_and_key) {
  const BadCase& b = GetParam();
  std::string text = kValid;
  size_t at = text.find(b.from);
  ASSERT_NE(at, std::string::npos) << b.from;
  text.replace(at, b.from.size(), b.to);
  auto c = load_string(text, "bad.yaml");
  ASSERT_FALSE(c);
  bool found = false;
  for (const auto& e : c.error()) {
    if (e.key == b.key && e.line == b.line && e.message.find(b.message_part) != std::string::npos) found = true;
  }
  std::string all;
  for (const auto& e : c.error()) all += e.to_string() + "\n";
  EXPECT_TRUE(found) << all;
  EXPECT_EQ(c.error()[0].file, "bad.yaml");
}

INSTANTIATE_TEST_SUITE_P(
    Cases, LoaderErrors,
    ::testing::Values(
        BadCase{"duplicate_key_is_not_silently_dropped", "auth: public\n  - id: ws", "auth: public\n    auth: session\n  - id: ws",
                20, "routes[0].auth", "duplicate key"},
        BadCase{"missing_auth", "    auth: public\n  - id: ws", "  - id: ws", 12, "routes[0].auth", "is required"},
        BadCase{"unknown_auth", "auth: public\n  - id: ws", "auth: sso\n  - id: ws", 19, "routes[0].auth", "unknown mode"},
        BadCase{"unknown_top_key", "workers: 2", "wokers: 2", 1, "wokers", "unknown key"},
        BadCase{"unknown_nested_key", "connect: 500ms", "conect: 500ms", 9, "clusters[0].timeouts.conect",
                "unknown key"},
        BadCase{"bad_port", "port: 8080", "port: 80800", 5, "listeners[0].port", "whole number"},
        BadCase{"bad_address", "address: 127.0.0.1\n    port", "address: localhost\n    port", 4,
                "listeners[0].address", "not an IP address"},
        BadCase{"bad_endpoint", "\"http://127.0.0.1:9000\"", "\"tcp://x\"", 8, "clusters[0].endpoints",
                "http[s]://host[:port]"},
        BadCase{"endpoint_with_path", "\"http://127.0.0.1:9000\"", "\"http://h/x\"", 8, "clusters[0].endpoints", "not of the form"},
        BadCase{"bad_duration", "connect: 500ms", "connect: fast", 9, "clusters[0].timeouts.connect", "duration"},
        BadCase{"unknown_cluster", "    cluster: app\n    rewrite", "    cluster: db\n    rewrite", 12, "routes[0].cluster",
                "no cluster named 'db'"},
        BadCase{"bad_regex", "\"/ws/[a-z]+\"", "\"/ws/[a-z\"", 21, "routes[1].path.regex", "invalid regular expression"},
        BadCase{"two_path_kinds", "{prefix: /api/}", "{prefix: /api/, exact: /x}", 14, "routes[0].path", "exactly one"},
        BadCase{"relative_prefix", "{prefix: /api/}", "{prefix: api/}", 14, "routes[0].path.prefix", "start with '/'"},
        BadCase{"rewrite_on_regex", "websocket: true", "websocket: true\n    rewrite: {prefix: /}", 24,
                "routes[1].rewrite", "prefix paths only"},
        BadCase{"bad_method", "[GET, POST]", "[GET, FETCH]", 15, "routes[0].methods", "unknown method 'FETCH'"},
        BadCase{"bad_bool", "websocket: true", "websocket: yes", 23, "routes[1].websocket", "true or false"},
        BadCase{"bad_cidr", "10.0.0.0/8", "10.0.0.0/99", 25, "trusted_proxies", "not an address or CIDR"},
        BadCase{"bad_host", "\"*.example.org\"", "\"exa mple\"", 13, "routes[0].host", "host name"},
        BadCase{"zero_timeout", "drain: 10s", "drain: 0s", 27, "timeouts.drain", "longer than zero"},
        BadCase{"empty_port", "port: 8080", "port:", 5, "listeners[0].port", "is required"},
        BadCase{"bad_admin_address", "address: 127.0.0.1, port: 9901", "address: localhost, port: 9901", 28,
                "admin.address", "not an IP address"},
        BadCase{"duplicate_route_id", "id: ws", "id: api", 20, "routes[1].id", "duplicate route id"},
        BadCase{"syntax_error", "limits: {", "limits: {{", 26, "", "syntax error"},
        BadCase{"listeners_missing", "listeners:\n  - name: http\n    address: 127.0.0.1\n    port: 8080\n", "", 1,
                "listeners", "is required"}),
    [](const ::testing::TestParamInfo<BadCase>& i) { return std::string(i.param.name); });

TEST(Loader, every_error_is_reported_at_once) {
  auto c = load_string("workers: x\nlisteners: 5\nclusters: []\nroutes:\n  - id: a\nbogus: 1\n", "m.yaml");
  ASSERT_FALSE(c);
  EXPECT_GE(c.error().size(), 5u);  // workers, listeners, route path, cluster, auth, bogus
}

TEST(Loader, missing_file_is_an_error_naming_it) {
  auto c = load_file("/nonexistent/vigie.yaml");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error()[0].to_string(), "/nonexistent/vigie.yaml: cannot open the file");
}

}  // namespace
}  // namespace vigie::config
