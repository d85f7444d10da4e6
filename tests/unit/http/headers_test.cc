#include "http/headers.h"

#include <gtest/gtest.h>

#include <random>
#include <utility>
#include <vector>

#include "authn/identity.h"
#include "upstream/wire.h"

namespace vigie::http {
namespace {

struct Parsed {
  upstream::RequestParser parser;
  ConnectionInfo conn;
  RequestContext ctx{nullptr, parser, conn, {}};
  config::Route route_cfg;
  router::Route route;

  explicit Parsed(std::string_view raw, const char* peer = "192.0.2.7", bool trusted = false) {
    parser.eager(false);
    boost::system::error_code ec;
    parser.put(boost::asio::buffer(raw.data(), raw.size()), ec);
    EXPECT_FALSE(ec) << ec.message();
    conn.peer = boost::asio::ip::make_address(peer);
    conn.peer_text = peer;
    conn.peer_trusted = trusted;
    route_cfg.path = "/app";
    route.cfg = &route_cfg;
    ctx.route = &route;
    ctx.path = std::string(parser.get().target().substr(0, parser.get().target().find('?')));
  }
  // The request as the upstream receives it: the rewritten fields and the ones Vigie added.
  upstream::RequestParser::value_type wire() {
    std::string head;
    upstream::append_request_head(head, ctx.request(), ctx.upstream_fields);
    upstream::RequestParser out;
    out.eager(false);
    boost::system::error_code ec;
    out.put(boost::asio::buffer(head.data(), head.size()), ec);
    EXPECT_FALSE(ec) << ec.message() << "\n" << head;
    EXPECT_TRUE(out.is_header_done()) << head;
    return out.release();
  }
  std::string up(std::string_view name) {
    auto req = wire();
    EXPECT_LE(req.count(name), 1u) << name;
    return std::string(req[name]);
  }
  bool has(std::string_view name) { return wire().count(name) > 0; }
};

TEST(CheckRawHeader, refuses_folding_bare_line_ends_and_too_many_lines) {
  EXPECT_FALSE(check_raw_header("GET / HTTP/1.1\r\nA: b\r\n\r\n", 10));
  EXPECT_EQ(check_raw_header("GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n", 10), Reason::BadFraming);
  EXPECT_EQ(check_raw_header("GET / HTTP/1.1\r\nA: b\r\n\tc\r\n\r\n", 10), Reason::BadFraming);
  EXPECT_EQ(check_raw_header("GET / HTTP/1.1\r\nA: b\n\r\n", 10), Reason::BadFraming);
  EXPECT_EQ(check_raw_header("GET / HTTP/1.1\r\nA: b\rc\r\n\r\n", 10), Reason::BadFraming);
  EXPECT_EQ(check_raw_header("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", 2), Reason::HeadersTooLarge);
}

// The rules byte by byte, as RFC 9112 states them: the reference the vectorised scan must match.
// *controls: a byte below 0x20 other than CR, LF and HTAB, or DEL.
std::optional<Reason> reference_check(std::string_view block, uint32_t max_headers, bool* controls) {
  uint32_t lines = 0;
  *controls = false;
  for (size_t i = 0; i < block.size(); ++i) {
    char c = block[i];
    if (c == '\n' && (i == 0 || block[i - 1] != '\r')) return Reason::BadFraming;
    if (c == '\r' && (i + 1 >= block.size() || block[i + 1] != '\n')) return Reason::BadFraming;
    if (c == '\n') {
      ++lines;
      if (i + 1 < block.size() && (block[i + 1] == ' ' || block[i + 1] == '\t')) return Reason::BadFraming;
    }
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\r' && c != '\n' && c != '\t') || u == 0x7f) *controls = true;
  }
  if (lines > max_headers + 2) return Reason::HeadersTooLarge;
  return std::nullopt;
}

TEST(CheckRawHeader, edges_of_the_block) {
  EXPECT_EQ(check_raw_header("\nGET / HTTP/1.1\r\n\r\n", 10), Reason::BadFraming);
  EXPECT_EQ(check_raw_header("GET / HTTP/1.1\r\n\r\n\r", 10), Reason::BadFraming);
  EXPECT_EQ(check_raw_header("GET / HTTP/1.1\r\nA: b\r\r\n\r\n", 10), Reason::BadFraming);
  EXPECT_FALSE(check_raw_header("GET / HTTP/1.1\r\nA: b", 10));
  EXPECT_FALSE(check_raw_header("", 10));
}

TEST(CheckRawHeader, agrees_with_the_byte_by_byte_rules_on_random_blocks) {
  std::mt19937 rng(20261204);
  // Mostly line structure; sometimes a control byte, DEL or a high byte (never controls for the rules).
  const char alphabet[] = {'a', 'b', ':', ' ', '\t', '\r', '\n', '\r', '\n', 'a', 'b', 'c', 'd', 'e', 'f', 'g'};
  const char rare[] = {'\x01', '\x1f', '\x7f', '\x00', '\x80', '\xff', '\x20', '\x0b'};
  for (int round = 0; round < 40000; ++round) {
    std::string block;
    size_t len = rng() % 200;  // across 64- and 16-byte steps and the tail
    for (size_t i = 0; i < len; ++i) {
      block += rng() % 50 == 0 ? rare[rng() % sizeof rare] : alphabet[rng() % sizeof alphabet];
    }
    if (round % 2 == 0) block += "\r\n\r\n";  // half of them end as a real block does
    uint32_t max = rng() % 12;
    bool want_controls = false;
    bool got_controls = true;
    auto want = reference_check(block, max, &want_controls);
    ASSERT_EQ(check_raw_header(block, max, &got_controls), want) << testing::PrintToString(block);
    if (!want) {
      ASSERT_EQ(got_controls, want_controls) << testing::PrintToString(block);
    }
  }
}

TEST(CheckRawHeader, tells_a_control_byte_anywhere_in_a_long_block) {
  std::string block = "GET / HTTP/1.1\r\nHost: a\r\nCookie: " + std::string(3000, 'c') + "\r\n\r\n";
  bool controls = true;
  EXPECT_FALSE(check_raw_header(block, 10, &controls));
  EXPECT_FALSE(controls);
  for (size_t at : {size_t(0), size_t(20), size_t(40), size_t(41), size_t(1500), block.size() - 5}) {
    for (char c : {'\x01', '\x7f', '\x00'}) {
      std::string bad = block;
      bad[at] = c;
      EXPECT_FALSE(check_raw_header(bad, 10, &controls));
      EXPECT_TRUE(controls) << at << " " << int(c);
    }
  }
  std::string tab = block;
  tab[1500] = '\t';
  EXPECT_FALSE(check_raw_header(tab, 10, &controls));
  EXPECT_FALSE(controls);
}

TEST(CheckRequest, host_is_lowercased_without_port) {
  Parsed p("GET / HTTP/1.1\r\nHost: App.Example.TEST:8443\r\n\r\n");
  EXPECT_FALSE(check_request(p.ctx));
  EXPECT_EQ(p.ctx.host, "app.example.test");
  Parsed v6("GET / HTTP/1.1\r\nHost: [::1]:8443\r\n\r\n");
  EXPECT_FALSE(check_request(v6.ctx));
  EXPECT_EQ(v6.ctx.host, "[::1]");
}

TEST(CheckRequest, refusals) {
  struct Case {
    const char* raw;
    Reason reason;
  };
  const Case cases[] = {
      {"GET / HTTP/1.1\r\n\r\n", Reason::BadHost},
      {"GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", Reason::BadHost},
      {"GET / HTTP/1.1\r\nHost: a:b\r\n\r\n", Reason::BadHost},
      {"GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", Reason::BadHost},
      {"CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", Reason::MethodNotAllowed},
      {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", Reason::BadFraming},
      {"POST / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\n\r\n", Reason::ExpectationFailed},
  };
  for (const auto& c : cases) {
    Parsed p(c.raw);
    EXPECT_EQ(check_request(p.ctx), c.reason) << c.raw;
  }
  Parsed ok10("GET / HTTP/1.0\r\n\r\n");
  EXPECT_FALSE(check_request(ok10.ctx));
}

TEST(IdentifyClient, untrusted_peer_is_the_client_and_gets_a_fresh_request_id) {
  Parsed p("GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.1.1.1\r\nX-Request-Id: mine\r\n\r\n");
  core::CidrSet trusted;
  identify_client(p.ctx, trusted);
  EXPECT_EQ(p.ctx.client, "192.0.2.7");
  EXPECT_NE(p.ctx.request_id, "mine");
}

TEST(IdentifyClient, trusted_chain_walked_from_the_right) {
  core::CidrSet trusted;
  trusted.add(*core::Cidr::parse("10.0.0.0/8"));
  Parsed p("GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 6.6.6.6, 203.0.113.5, 10.1.1.1\r\nX-Request-Id: lb-7\r\n\r\n",
           "10.0.0.2", true);
  identify_client(p.ctx, trusted);
  EXPECT_EQ(p.ctx.client, "203.0.113.5");  // 6.6.6.6 was written by the client itself: not believed
  EXPECT_EQ(p.ctx.request_id, "lb-7");
  Parsed bad("GET / HTTP/1.1\r\nHost: a\r\nX-Request-Id: a b\r\n\r\n", "10.0.0.2", true);
  identify_client(bad.ctx, trusted);
  EXPECT_EQ(bad.ctx.request_id.size(), 32u);
}

TEST(PrepareUpstreamRequest, strips_and_sets_what_the_upstream_sees) {
  Parsed p("POST /app/x?q=1 HTTP/1.1\r\nHost: a.test\r\nConnection: keep-alive, X-Drop\r\nX-Drop: 1\r\n"
           "Keep-Alive: 5\r\nExpect: 100-continue\r\nX-Auth-Request-User: eve\r\nX-Webauth-Role: Admin\r\n"
           "X-Forwarded-For: 9.9.9.9\r\nContent-Length: 3\r\n\r\n");
  p.ctx.request_id = "rid";
  p.ctx.query = "q=1";
  prepare_upstream_request(p.ctx);
  for (auto name : {"Connection", "X-Drop", "Keep-Alive", "Expect", "X-Auth-Request-User", "X-Webauth-Role"}) {
    EXPECT_FALSE(p.has(name)) << name;
  }
  EXPECT_EQ(p.up("X-Forwarded-For"), "192.0.2.7");
  EXPECT_EQ(p.up("X-Forwarded-Proto"), "http");
  EXPECT_EQ(p.up("X-Forwarded-Host"), "a.test");
  EXPECT_EQ(p.up("X-Request-Id"), "rid");
  EXPECT_EQ(p.up("Content-Length"), "3");
  EXPECT_EQ(p.ctx.request().target(), "/app/x?q=1");
}

TEST(PrepareUpstreamRequest, forwarding_fields_from_a_trusted_proxy_are_kept_or_extended_else_replaced) {
  const char* raw =
      "GET /app HTTP/1.1\r\nHost: a.test\r\nX-Forwarded-For: 203.0.113.5\r\nX-Forwarded-Proto: https\r\n"
      "X-Forwarded-Host: public.test\r\nX-Real-IP: 203.0.113.5\r\nX-Request-Id: lb-7\r\n\r\n";
  struct Case {
    const char* peer;
    bool trusted;
    const char* client;  // as identify_client found it
    const char* request_id;
    std::vector<std::pair<const char*, const char*>> upstream;  // what the upstream receives
  };
  const Case cases[] = {
      {"10.1.1.1", true, "203.0.113.5", "lb-7",
       {{"X-Forwarded-For", "203.0.113.5, 10.1.1.1"}, {"X-Forwarded-Proto", "https"},
        {"X-Forwarded-Host", "public.test"}, {"X-Real-IP", "203.0.113.5"}, {"X-Request-Id", "lb-7"}}},
      {"192.0.2.7", false, "192.0.2.7", "rid",  // untrusted: every one of them is Vigie's own
       {{"X-Forwarded-For", "192.0.2.7"}, {"X-Forwarded-Proto", "http"}, {"X-Forwarded-Host", "a.test"},
        {"X-Real-IP", "192.0.2.7"}, {"X-Request-Id", "rid"}}},
  };
  for (const auto& c : cases) {
    Parsed p(raw, c.peer, c.trusted);
    p.ctx.client = c.client;
    p.ctx.request_id = c.request_id;
    prepare_upstream_request(p.ctx);
    for (const auto& [name, value] : c.upstream) EXPECT_EQ(p.up(name), value) << c.peer << " " << name;
  }
}

TEST(PrepareUpstreamRequest, identity_headers_replace_the_clients_and_claims_cannot_end_a_line) {
  Parsed p("GET /app HTTP/1.1\r\nHost: a\r\nX-Forwarded-User: mallory\r\nX-WEBAUTH-ROLE: Admin\r\n"
           "Authorization: Bearer t\r\n\r\n");
  p.route_cfg.headers.grafana = true;
  auto id = std::make_shared<authn::Identity>();
  id->method = authn::Method::Bearer;
  id->oid = "0a1b";
  id->preferred_username = "alice@clinic.test";
  id->name = "Alice\r\nX-Injected: 1\x7f";
  id->email = std::string(40, 'e') + "\t@clinic.test";  // long enough for the sixteen-byte check
  id->groups = {"g1", "g2"};
  p.ctx.identity = id;
  prepare_upstream_request(p.ctx);
  EXPECT_EQ(p.up("X-Forwarded-User"), "alice@clinic.test");
  EXPECT_EQ(p.up("X-Forwarded-Groups"), "g1,g2");
  EXPECT_EQ(p.up("X-Forwarded-Email"), std::string(40, 'e') + "\t@clinic.test");  // HTAB is allowed
  EXPECT_EQ(p.up("X-WEBAUTH-NAME"), "Alice  X-Injected: 1");  // the DEL became a space, trimmed as OWS
  EXPECT_FALSE(p.has("X-Injected"));
  EXPECT_EQ(p.up("X-WEBAUTH-ROLE"), "Viewer");
  EXPECT_FALSE(p.has("Authorization"));  // a verified bearer token stays with Vigie
}

TEST(PrepareUpstreamRequest, rewrite_replaces_the_matched_prefix) {
  struct Case {
    const char* prefix;
    const char* rewrite;
    const char* path;
    const char* target;
  };
  const Case cases[] = {{"/app", "/", "/app/x", "/x"},
                        {"/app/", "/", "/app/x", "/x"},
                        {"/app", "/v2", "/app/x", "/v2/x"},
                        {"/app/", "/internal/", "/app/", "/internal/"},
                        {"/grafana", "/", "/grafana", "/"}};
  for (const auto& c : cases) {
    Parsed p("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    p.route_cfg.path = c.prefix;
    p.route_cfg.rewrite_prefix = c.rewrite;
    p.ctx.path = c.path;
    prepare_upstream_request(p.ctx);
    EXPECT_EQ(p.ctx.request().target(), c.target) << c.prefix << " " << c.path;
  }
}

TEST(PrepareUpstreamRequest, chunked_body_stays_chunked_and_websocket_keeps_upgrade) {
  Parsed c("POST /app HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
  prepare_upstream_request(c.ctx);
  EXPECT_EQ(c.up("Transfer-Encoding"), "chunked");
  Parsed w("GET /app HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
  w.ctx.upgrade = is_websocket_upgrade(w.ctx.request());
  EXPECT_TRUE(w.ctx.upgrade);
  prepare_upstream_request(w.ctx);
  EXPECT_EQ(w.up("Upgrade"), "websocket");
  EXPECT_EQ(w.up("Connection"), "upgrade");
}

TEST(PrepareDownstreamResponse, removes_hop_by_hop_and_tags_the_request_id) {
  Parsed p("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  p.ctx.request_id = "rid";
  upstream::Response res(boost::beast::http::status::ok, 11);
  res.set("Connection", "X-Internal");
  res.set("X-Internal", "1");
  res.set("Keep-Alive", "timeout=5");
  res.set("Transfer-Encoding", "chunked");
  prepare_downstream_response(p.ctx, res, false);
  EXPECT_EQ(res.find("X-Internal"), res.end());
  EXPECT_EQ(res.find("Keep-Alive"), res.end());
  EXPECT_TRUE(res.chunked());
  EXPECT_EQ(res["X-Request-Id"], "rid");
  EXPECT_FALSE(res.keep_alive());
}

}  // namespace
}  // namespace vigie::http
