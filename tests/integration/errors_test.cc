// Local replies: the right status and a body that fits the client (JSON for APIs, HTML in French
// or English for browsers), upstream failures mapped to 502/503/504, timeouts and limits.
#include "integration/harness.h"

namespace vigie::testing {
namespace {

TEST(LocalReplies, browsers_get_html_in_their_language_and_apis_get_json) {
  RecordingUpstream upstream;
  ConfigOptions o;
  o.upstream_port = upstream.port();
  o.routes = "  - id: only\n    path: {prefix: /app/}\n    cluster: app\n    auth: public\n";
  VigieProcess vigie(make_config(o));
  auto html = http_request(vigie.port(), "GET", "/nowhere",
                           "Accept: text/html,application/xhtml+xml\r\nAccept-Language: fr-FR,fr;q=0.9,en;q=0.8\r\n");
  ASSERT_TRUE(html);
  EXPECT_EQ(html->result_int(), 404);
  EXPECT_EQ(std::string((*html)[boost::beast::http::field::content_type]), "text/html; charset=utf-8");
  EXPECT_NE(html->body().find("Il n'y a rien"), std::string::npos);
  EXPECT_NE(html->body().find(std::string((*html)["X-Request-Id"])), std::string::npos);
  auto en = http_request(vigie.port(), "GET", "/nowhere", "Accept: text/html\r\nAccept-Language: en-GB\r\n");
  EXPECT_NE(en->body().find("There is nothing"), std::string::npos);
  auto api = http_request(vigie.port(), "GET", "/nowhere", "Accept: application/json\r\n");
  auto j = nlohmann::json::parse(api->body());
  EXPECT_EQ(j["error"], "no_route");
  EXPECT_EQ(j["request_id"], std::string((*api)["X-Request-Id"]));
  EXPECT_EQ(upstream.count(), 0u);
}

TEST(UpstreamFailures, refused_connection_is_502) {
  uint16_t dead_port;
  {
    RecordingUpstream gone;  // bound then closed: nothing listens there any more
    dead_port = gone.port();
  }
  ConfigOptions o;
  o.upstream_port = dead_port;
  VigieProcess vigie(make_config(o));
  auto r = http_request(vigie.port(), "GET", "/x");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 502);
  EXPECT_EQ(nlohmann::json::parse(r->body())["error"], "upstream_connect_failed");
  EXPECT_GE(vigie.metric("vigie_upstream_errors_total{cluster=\"app\",kind=\"connect\"}"), 1.0);
}

TEST(UpstreamFailures, slow_upstream_is_504_after_the_response_timeout) {
  RecordingUpstream upstream;
  ConfigOptions o;
  o.upstream_port = upstream.port();
  o.cluster_extra = "    timeouts: {response_header: 300ms}\n";
  VigieProcess vigie(make_config(o));
  auto r = http_request(vigie.port(), "GET", "/hold");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 504);
  EXPECT_EQ(vigie.metric("vigie_upstream_errors_total{cluster=\"app\",kind=\"timeout\"}"), 1.0);
  upstream.release_holds();
}

TEST(UpstreamFailures, cluster_connection_limit_answers_503) {
  RecordingUpstream upstream;
  ConfigOptions o;
  o.upstream_port = upstream.port();
  o.workers = 1;
  o.cluster_extra = "    max_connections: 1\n";
  VigieProcess vigie(make_config(o));
  RawClient holder(vigie.port());
  holder.send("GET /hold HTTP/1.1\r\nHost: app.test\r\n\r\n");
  ASSERT_TRUE(upstream.wait_for_holds(1));
  auto r = http_request(vigie.port(), "GET", "/x");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 503);
  upstream.release_holds();
  EXPECT_EQ(holder.read_response()->result_int(), 200);
}

TEST(ClientLimits, slow_header_and_idle_connections_are_closed_at_their_deadlines) {
  RecordingUpstream upstream;
  ConfigOptions o;
  o.upstream_port = upstream.port();
  o.top_extra = "timeouts: {request_header: 300ms, idle: 500ms}\n";
  VigieProcess vigie(make_config(o));
  RawClient slow(vigie.port());
  slow.send("GET / HTTP/1.1\r\nHost: app.test\r\n");  // never finishes its header
  // The deadline covers the whole header, however it trickles in; the connection is closed
  // (as nginx does) because the timed-out socket cannot carry a reply.
  EXPECT_TRUE(slow.closed_by_peer());
  EXPECT_EQ(vigie.wait_metric("vigie_rejected_requests_total", 1.0), 1.0);
  RawClient idle(vigie.port());
  EXPECT_TRUE(idle.closed_by_peer());  // returns when Vigie closes it after timeouts.idle
  EXPECT_EQ(upstream.count(), 0u);
}

TEST(ClientLimits, connections_over_the_limit_are_refused_with_503) {
  RecordingUpstream upstream;
  ConfigOptions o;
  o.upstream_port = upstream.port();
  o.top_extra = "limits: {max_connections: 2}\n";
  VigieProcess vigie(make_config(o));
  RawClient a(vigie.port()), b(vigie.port());
  a.send("GET /1 HTTP/1.1\r\nHost: app.test\r\n\r\n");
  b.send("GET /2 HTTP/1.1\r\nHost: app.test\r\n\r\n");
  ASSERT_TRUE(a.read_response());
  ASSERT_TRUE(b.read_response());  // both are open and served
  RawClient c(vigie.port());
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 503);
  EXPECT_EQ(vigie.metric("vigie_downstream_connections_refused_total"), 1.0);
}

TEST(ClientLimits, route_body_limit_applies_to_chunked_bodies_too) {
  RecordingUpstream upstream;
  ConfigOptions o;
  o.upstream_port = upstream.port();
  o.routes = "  - id: small\n    path: {prefix: /}\n    cluster: app\n    max_body_bytes: 10\n    auth: public\n";
  VigieProcess vigie(make_config(o));
  RawClient c(vigie.port());
  c.send("POST /x HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\n\r\n14\r\n01234567890123456789\r\n0\r\n\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 413);
  EXPECT_EQ(upstream.count(), 0u);
}

}  // namespace
}  // namespace vigie::testing
