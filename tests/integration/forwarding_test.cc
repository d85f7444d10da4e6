// What the upstream receives: forwarding headers, request ids, hop-by-hop and identity headers
// removed, paths normalised and rewritten. Every assertion is on the recorded upstream request.
#include "integration/harness.h"

namespace vigie::testing {
namespace {

class Forwarding : public ::testing::Test {
 protected:
  void SetUp() override {
    ConfigOptions o;
    o.upstream_port = upstream.port();
    o.routes =
        "  - id: api\n    path: {prefix: /api/}\n    cluster: app\n    rewrite: {prefix: /internal/}\n"
        "    auth: public\n"
        "  - id: all\n    path: {prefix: /}\n    cluster: app\n    auth: public\n";
    vigie = std::make_unique<VigieProcess>(make_config(o));
  }
  Recorded last() {
    auto all = upstream.requests();
    EXPECT_FALSE(all.empty());
    return all.empty() ? Recorded{} : all.back();
  }
  RecordingUpstream upstream;
  std::unique_ptr<VigieProcess> vigie;
};

TEST_F(Forwarding, forwarded_headers_set_from_the_connection_of_an_untrusted_client) {
  auto r = http_request(vigie->port(), "GET", "/x",
                        "X-Forwarded-For: 6.6.6.6\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: evil.test\r\n"
                        "Forwarded: for=6.6.6.6\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200);
  Recorded up = last();
  EXPECT_EQ(up.header("X-Forwarded-For"), "127.0.0.1");
  EXPECT_EQ(up.header("X-Forwarded-Proto"), "http");
  EXPECT_EQ(up.header("X-Forwarded-Host"), "app.test");
  EXPECT_FALSE(up.header("Forwarded"));
  EXPECT_EQ(up.count("X-Forwarded-For"), 1u);
}

TEST_F(Forwarding, request_id_generated_and_returned_when_absent) {
  auto r = http_request(vigie->port(), "GET", "/x", "X-Request-Id: client-chosen\r\n");
  ASSERT_TRUE(r);
  Recorded up = last();
  ASSERT_TRUE(up.header("X-Request-Id"));
  EXPECT_NE(*up.header("X-Request-Id"), "client-chosen");  // an untrusted client cannot pick it
  EXPECT_EQ(up.header("X-Request-Id")->size(), 32u);
  EXPECT_EQ(std::string((*r)["X-Request-Id"]), *up.header("X-Request-Id"));
}

TEST_F(Forwarding, hop_by_hop_headers_removed_both_ways_including_connection_listed_names) {
  auto r = http_request(vigie->port(), "GET", "/x",
                        "Connection: keep-alive, X-Secret-Hop\r\nX-Secret-Hop: 1\r\nKeep-Alive: timeout=5\r\n"
                        "Proxy-Connection: keep-alive\r\nTE: trailers\r\nUpgrade: h2c\r\nProxy-Authorization: x\r\n"
                        "X-End-To-End: kept\r\n");
  ASSERT_TRUE(r);
  Recorded up = last();
  for (auto name : {"X-Secret-Hop", "Keep-Alive", "Proxy-Connection", "TE", "Upgrade", "Proxy-Authorization"}) {
    EXPECT_FALSE(up.header(name)) << name;
  }
  EXPECT_EQ(up.header("X-End-To-End"), "kept");
  // The upstream answered with "Connection: X-Upstream-Hop" and that header: neither reaches the client.
  EXPECT_EQ(r->find("X-Upstream-Hop"), r->end());
}

TEST_F(Forwarding, connection_cannot_remove_host_and_proxy_only_headers_are_replaced) {
  auto r = http_request(vigie->port(), "GET", "/x",
                        "Connection: close, Host, Content-Length\r\nX-Real-IP: 6.6.6.6\r\nX-Original-URL: /admin\r\n"
                        "X-Rewrite-URL: /admin\r\nX-Forwarded-Port: 1\r\nX-Forwarded-Prefix: /evil\r\n");
  ASSERT_TRUE(r);
  Recorded up = last();
  EXPECT_EQ(up.header("Host"), "app.test");
  EXPECT_EQ(up.header("X-Real-IP"), "127.0.0.1");
  for (auto name : {"X-Original-URL", "X-Rewrite-URL", "X-Forwarded-Port", "X-Forwarded-Prefix"}) {
    EXPECT_FALSE(up.header(name)) << name;
  }
}

TEST_F(Forwarding, raw_utf8_and_its_percent_encoding_are_one_path) {
  ASSERT_TRUE(http_request(vigie->port(), "GET", "/caf\xc3\xa9"));
  EXPECT_EQ(last().target, "/caf%C3%A9");
  ASSERT_TRUE(http_request(vigie->port(), "GET", "/caf%c3%a9"));
  EXPECT_EQ(last().target, "/caf%C3%A9");
}

TEST_F(Forwarding, spoofed_identity_headers_stripped) {
  auto r = http_request(vigie->port(), "GET", "/x",
                        "X-Forwarded-User: admin\r\nX-Forwarded-Email: a@b\r\nX-Forwarded-Groups: admins\r\n"
                        "X-Forwarded-Preferred-Username: admin\r\nX-Auth-Request-User: admin\r\n"
                        "X-Auth-Request-Email: a@b\r\nX-WEBAUTH-USER: admin\r\nX-WEBAUTH-ROLE: Admin\r\n"
                        "X-Forwarded-Access-Token: t\r\nX-JWT-Assertion: j\r\nx-webauth-email: lower@case\r\n");
  ASSERT_TRUE(r);
  Recorded up = last();
  for (const auto& [name, value] : up.headers) {
    EXPECT_EQ(value.find("admin"), std::string::npos) << name << " reached the upstream";
    EXPECT_NE(name.rfind("X-WEBAUTH", 0), 0u);
  }
  EXPECT_FALSE(up.header("x-webauth-email"));
  EXPECT_FALSE(up.header("X-JWT-Assertion"));
}

TEST_F(Forwarding, prefix_rewrite_keeps_rest_of_path_and_query) {
  auto r = http_request(vigie->port(), "GET", "/api/v1/items?limit=5&q=a%20b");
  ASSERT_TRUE(r);
  EXPECT_EQ(last().target, "/internal/v1/items?limit=5&q=a%20b");
}

TEST_F(Forwarding, path_normalised_before_routing_and_forwarding) {
  auto r = http_request(vigie->port(), "GET", "/static/%7Euser/./a//b/../c%3ad");
  ASSERT_TRUE(r);
  EXPECT_EQ(last().target, "/static/~user/a/c%3Ad");
  // Dot segments cannot carry a request onto another route's prefix unseen.
  r = http_request(vigie->port(), "GET", "/x/../api/items");
  ASSERT_TRUE(r);
  EXPECT_EQ(last().target, "/internal/items");
}

TEST_F(Forwarding, content_length_framing_normalised_for_the_upstream) {
  RawClient c(vigie->port());
  c.send("POST /x HTTP/1.1\r\nHost: app.test\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200);
  Recorded up = last();
  EXPECT_EQ(up.count("Content-Length"), 1u);
  EXPECT_EQ(up.body_bytes, 5u);
}

TEST(ForwardingTrusted, trusted_proxy_chain_is_extended_and_its_request_id_kept) {
  RecordingUpstream upstream;
  ConfigOptions o;
  o.upstream_port = upstream.port();
  o.top_extra = "trusted_proxies: [127.0.0.0/8]\n";
  VigieProcess vigie(make_config(o));
  auto r = http_request(vigie.port(), "GET", "/x",
                        "X-Forwarded-For: 203.0.113.9, 10.0.0.1\r\nX-Forwarded-Proto: https\r\n"
                        "X-Request-Id: lb-1234\r\n");
  ASSERT_TRUE(r);
  Recorded up = upstream.requests().back();
  EXPECT_EQ(up.header("X-Forwarded-For"), "203.0.113.9, 10.0.0.1, 127.0.0.1");
  EXPECT_EQ(up.header("X-Forwarded-Proto"), "https");
  EXPECT_EQ(up.header("X-Request-Id"), "lb-1234");
  EXPECT_EQ(std::string((*r)["X-Request-Id"]), "lb-1234");
}

TEST(Routing, host_and_method_select_the_route_and_unknown_hosts_get_404) {
  RecordingUpstream a, b;
  ConfigOptions o;
  o.upstream_port = a.port();
  o.cluster_extra = "  - name: other\n    endpoints: [\"http://127.0.0.1:" + std::to_string(b.port()) + "\"]\n";
  o.routes =
      "  - id: b-post\n    host: app.test\n    path: {exact: /submit}\n    methods: [POST]\n    cluster: other\n"
      "    auth: public\n"
      "  - id: wild\n    host: \"*.example.test\"\n    path: {regex: \"/v[0-9]+/.*\"}\n    cluster: other\n"
      "    auth: public\n"
      "  - id: a\n    host: app.test\n    path: {prefix: /}\n    cluster: app\n    auth: public\n";
  VigieProcess vigie(make_config(o));
  EXPECT_EQ(http_request(vigie.port(), "POST", "/submit", "", "x")->result_int(), 200);
  EXPECT_EQ(b.count(), 1u);
  EXPECT_EQ(http_request(vigie.port(), "GET", "/submit")->result_int(), 200);
  EXPECT_EQ(a.count(), 1u);
  RawClient c(vigie.port());
  c.send("GET /v2/x HTTP/1.1\r\nHost: api.example.test:8443\r\n\r\n");
  EXPECT_EQ(c.read_response()->result_int(), 200);
  EXPECT_EQ(b.count(), 2u);
  RawClient d(vigie.port());
  d.send("GET / HTTP/1.1\r\nHost: nowhere.test\r\nAccept: application/json\r\n\r\n");
  auto r = d.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 404);
  EXPECT_EQ(nlohmann::json::parse(r->body())["error"], "no_route");
  EXPECT_EQ(a.count() + b.count(), 3u);
}

}  // namespace
}  // namespace vigie::testing
