// Logins, sessions, bearer tokens and forward-auth through the real binary, against the
// Entra-shaped provider. Asserts what the browser ends up seeing and what the upstream received.
#include "integration/identity_harness.h"

#include <csignal>
#include <fstream>
#include <iterator>
#include <thread>

#include "jwt/jws.h"
#include "jwt/keyset.h"
#include "session/cookies.h"
#include "session/data.h"
#include "session/key_ring.h"

namespace vigie::testing {
namespace {

const std::string kRoutes = R"(  - id: openmrs
    path: {prefix: /openmrs/}
    cluster: app
    auth: session
    policy: authenticated
  - id: grafana
    path: {prefix: /grafana/}
    cluster: app
    auth: session
    policy: authenticated
    identity_headers: {user: false, grafana: true, grafana_roles: [{role: Admin, members: [Vigie.Admin]}]}
  - id: metrics
    path: {prefix: /federate}
    cluster: app
    auth: bearer
    policy: authenticated
    bearer: {audiences: ["api://vigie"], roles: [Vigie.Api.Call]}
  - id: admin-api
    path: {prefix: /admin-api}
    cluster: app
    auth: bearer
    policy: authenticated
    bearer: {audiences: ["api://vigie"], roles: [Vigie.Operator]}
  - id: mixed
    path: {prefix: /api/}
    cluster: app
    auth: session_or_bearer
    policy: authenticated
    bearer: {audiences: ["api://vigie"]}
  - id: openmrs-jwt
    path: {prefix: /jwt/}
    cluster: app
    auth: session
    policy: authenticated
    identity_headers: {assertion: true}
  - id: public
    path: {prefix: /public}
    cluster: app
    auth: public
)";

const Headers kJson = {{"Accept", "application/json"}};

class Identity : public ::testing::Test {
 protected:
  IdentityBed bed{kRoutes};
  Browser browser;

  // Logs `user` in by navigating to path; returns the final response.
  Response login(const std::string& user, const std::string& path = "/openmrs/ws/rest/v1/patient?q=x") {
    bed.provider->next_login(user);
    return browser.follow(bed.url(path));
  }
  std::string daemon_token() {
    return bed.provider->client_credentials_token("daemon", "daemon-secret", "api://vigie/.default");
  }
};

TEST_F(Identity, browser_login_reaches_upstream_with_identity_headers) {
  Response r = login("alice");
  ASSERT_EQ(r.result_int(), 200u) << r.body();
  // start -> provider -> callback -> back where the user wanted to go.
  ASSERT_GE(browser.chain().size(), 4u);
  EXPECT_TRUE(browser.chain().front().location.starts_with(bed.url("/oauth2/start?rd=")));
  EXPECT_EQ(browser.url(), bed.url("/openmrs/ws/rest/v1/patient?q=x"));
  auto seen = bed.upstream.requests().back();
  EXPECT_EQ(seen.header("X-Forwarded-User"), "alice@contoso.test");
  EXPECT_EQ(seen.header("X-Forwarded-Email"), "alice@contoso.test");
  EXPECT_EQ(r[boost::beast::http::field::cache_control], "private, no-store");  // Back after sign-out shows nothing
  EXPECT_EQ(seen.header("X-Forwarded-Groups"), test_group_id(1) + "," + test_group_id(2) + "," + test_group_id(3));
  // Vigie's cookies never reach the upstream.
  auto cookie = seen.header("Cookie").value_or("");
  EXPECT_EQ(cookie.find("vigie"), std::string::npos) << cookie;
  auto session = browser.cookie("__Host-vigie");
  ASSERT_TRUE(session);
  EXPECT_TRUE(session->http_only);
  EXPECT_TRUE(session->secure);
  EXPECT_EQ(session->same_site, "Lax");
  EXPECT_EQ(session->value.find("alice"), std::string::npos);  // sealed
}

TEST_F(Identity, grafana_route_gets_auth_proxy_headers_with_mapped_role) {
  ASSERT_EQ(login("alice").result_int(), 200u);
  ASSERT_EQ(browser.follow(bed.url("/grafana/d/home")).result_int(), 200u);
  auto seen = bed.upstream.requests().back();
  EXPECT_EQ(seen.header("X-WEBAUTH-USER"), "alice@contoso.test");
  EXPECT_EQ(seen.header("X-WEBAUTH-NAME"), "Alice Martin");
  EXPECT_EQ(seen.header("X-WEBAUTH-ROLE"), "Admin");
  EXPECT_FALSE(seen.header("X-Forwarded-User"));  // this route asked for the Grafana set only
  browser.clear_cookies();
  ASSERT_EQ(login("bob", "/grafana/").result_int(), 200u);
  EXPECT_EQ(bed.upstream.requests().back().header("X-WEBAUTH-ROLE"), "Viewer");
}

TEST_F(Identity, spoofed_identity_headers_never_reach_the_upstream) {
  ASSERT_EQ(login("bob").result_int(), 200u);
  Headers spoof = {{"X-Forwarded-User", "mallory"},     {"X-Forwarded-Email", "m@evil"},
                   {"X-Forwarded-Groups", "admins"},     {"X-Forwarded-Preferred-Username", "mallory"},
                   {"X-WEBAUTH-USER", "admin"},           {"X-WEBAUTH-ROLE", "Admin"},
                   {"X-Auth-Request-User", "mallory"},    {"X-Forwarded-Access-Token", "forged"},
                   {"X-JWT-Assertion", "forged"}};
  ASSERT_EQ(browser.get(bed.url("/openmrs/x"), spoof).result_int(), 200u);
  auto seen = bed.upstream.requests().back();
  EXPECT_EQ(seen.header("X-Forwarded-User"), "bob@contoso.test");
  EXPECT_EQ(seen.header("X-Forwarded-Groups"), test_group_id(4));
  for (auto name : {"X-WEBAUTH-USER", "X-WEBAUTH-ROLE", "X-Auth-Request-User", "X-Forwarded-Access-Token",
                    "X-JWT-Assertion"}) {
    EXPECT_FALSE(seen.header(name)) << name;
  }
  // And on a public route, with no identity at all.
  ASSERT_EQ(browser.get(bed.url("/public"), spoof).result_int(), 200u);
  EXPECT_FALSE(bed.upstream.requests().back().header("X-Forwarded-User"));
}

TEST_F(Identity, api_client_without_session_gets_401_json) {
  Response r = browser.get(bed.url("/openmrs/ws/rest/v1/patient"), kJson);
  EXPECT_EQ(r.result_int(), 401u);
  EXPECT_EQ(r[boost::beast::http::field::www_authenticate], "Bearer realm=\"vigie\"");
  EXPECT_EQ(nlohmann::json::parse(r.body())["error"], "unauthenticated");
  EXPECT_EQ(bed.upstream.count(), 0u);
}

TEST_F(Identity, tampered_session_cookie_sends_the_browser_back_to_login) {
  ASSERT_EQ(login("alice").result_int(), 200u);
  auto c = *browser.cookie("__Host-vigie");
  std::string forged = c.value;
  forged[forged.size() / 2] = forged[forged.size() / 2] == 'A' ? 'B' : 'A';
  ASSERT_TRUE(browser.set_cookie(bed.url("/"), "__Host-vigie=" + forged + "; Path=/; Secure; HttpOnly"));
  size_t before = bed.upstream.count();
  Response r = browser.get(bed.url("/openmrs/x"));
  EXPECT_EQ(r.result_int(), 302u);
  EXPECT_TRUE(std::string(r[boost::beast::http::field::location]).starts_with("/oauth2/start?rd="));
  EXPECT_EQ(bed.upstream.count(), before);
  EXPECT_FALSE(browser.cookie("__Host-vigie"));  // Vigie deleted the broken cookie
}

TEST_F(Identity, sign_out_ends_the_session_and_continues_to_the_provider) {
  ASSERT_EQ(login("alice").result_int(), 200u);
  browser.stop_before(bed.provider->end_session_endpoint());
  Response r = browser.follow(bed.url("/oauth2/sign_out"));
  ASSERT_EQ(r.result_int(), 302u);
  std::string location(r[boost::beast::http::field::location]);
  EXPECT_TRUE(location.starts_with(bed.provider->end_session_endpoint() + "?client_id=vigie")) << location;
  EXPECT_NE(location.find("id_token_hint="), std::string::npos);
  EXPECT_NE(location.find("post_logout_redirect_uri=" + url_encode(bed.url("/"))), std::string::npos);
  EXPECT_FALSE(browser.cookie("__Host-vigie"));
  EXPECT_EQ(browser.get(bed.url("/openmrs/x")).result_int(), 302u);
}

TEST_F(Identity, open_redirects_are_refused) {
  for (std::string rd : {"//evil.example", "/\\evil.example", "https://evil.example/", "%2F%2Fevil.example",
                         "/%0a/evil.example", "javascript:alert(1)", "/%5Cevil.example", "http:evil.example"}) {
    Response r = browser.get(bed.url("/oauth2/start?rd=" + rd), kJson);
    EXPECT_EQ(r.result_int(), 400u) << rd;
    EXPECT_EQ(nlohmann::json::parse(r.body())["error"], "bad_redirect") << rd;
  }
  Response ok = browser.get(bed.url("/oauth2/start?rd=%2Fopenmrs%2Fhome"));
  EXPECT_EQ(ok.result_int(), 302u);
}

TEST_F(Identity, callback_without_its_state_cookie_is_refused) {
  Response r = browser.get(bed.url("/oauth2/callback?code=abc&state=somebody-elses-state"), kJson);
  EXPECT_EQ(r.result_int(), 400u);
  EXPECT_EQ(nlohmann::json::parse(r.body())["error"], "login_state_invalid");
}

TEST_F(Identity, group_overage_login_fails_with_a_page_that_says_why) {
  Response r = login("overage");
  EXPECT_EQ(r.result_int(), 403u);
  EXPECT_NE(r.body().find("too many groups"), std::string::npos) << r.body();
  EXPECT_FALSE(browser.cookie("__Host-vigie"));
  EXPECT_EQ(bed.upstream.count(), 0u);
}

TEST_F(Identity, userinfo_returns_the_identity_as_json) {
  ASSERT_EQ(login("alice").result_int(), 200u);
  Response r = browser.get(bed.url("/oauth2/userinfo"), kJson);
  ASSERT_EQ(r.result_int(), 200u);
  auto j = nlohmann::json::parse(r.body());
  EXPECT_EQ(j["oid"], "a11ce000-0000-4000-8000-000000000001");
  EXPECT_EQ(j["tid"], bed.provider->tenant());
  EXPECT_EQ(j["roles"], nlohmann::json::array({"Vigie.Admin"}));
  EXPECT_EQ(j["method"], "session");
}

TEST_F(Identity, service_principal_bearer_token_with_required_role) {
  std::string token = daemon_token();
  auto r = http_request(bed.vigie->port(), "GET", "/federate?match[]=up", "Authorization: Bearer " + token + "\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200u) << r->body();
  auto seen = bed.upstream.requests().back();
  EXPECT_EQ(seen.header("X-Forwarded-User"), "d0d0d0d0-0000-4000-8000-000000000001");
  EXPECT_FALSE(seen.header("Authorization"));  // Vigie's credential, not the upstream's
  // On a session route Vigie does not read Authorization: it reaches the upstream as sent.
  ASSERT_EQ(login("alice").result_int(), 200u);
  auto basic = http_request(bed.vigie->port(), "GET", "/openmrs/ws/rest/v1/session",
                            "Cookie: " + browser.cookie_header(bed.url("/")) + "\r\nAuthorization: Basic YWRtaW46dGVzdA==\r\n");
  ASSERT_EQ(basic->result_int(), 200u);
  EXPECT_EQ(bed.upstream.requests().back().header("Authorization"), "Basic YWRtaW46dGVzdA==");
  // The same token lacks the role another route requires: known caller, refused.
  auto denied = http_request(bed.vigie->port(), "GET", "/admin-api", "Authorization: Bearer " + token + "\r\n");
  EXPECT_EQ(denied->result_int(), 403u);
  EXPECT_NE(std::string((*denied)[boost::beast::http::field::www_authenticate]).find("insufficient_scope"),
            std::string::npos);
}

TEST_F(Identity, bearer_rejections) {
  std::string token = daemon_token();
  std::string forged = token;
  forged[forged.size() - 5] = forged[forged.size() - 5] == 'A' ? 'B' : 'A';
  struct Case {
    std::string name, headers;
    unsigned status;
  };
  for (const auto& c : std::vector<Case>{
           {"missing", "", 401},
           {"forged_signature", "Authorization: Bearer " + forged + "\r\n", 401},
           {"garbage", "Authorization: Bearer not.a.jwt\r\n", 401},
           {"basic_scheme", "Authorization: Basic YTpi\r\n", 401},
           {"cookie_and_bearer", "Authorization: Bearer " + token + "\r\nCookie: __Host-vigie=v1.x\r\n", 400}}) {
    auto r = http_request(bed.vigie->port(), "GET", "/federate", c.headers);
    ASSERT_TRUE(r) << c.name;
    EXPECT_EQ(r->result_int(), c.status) << c.name << " " << r->body();
  }
  EXPECT_EQ(bed.upstream.count(), 0u);
}

TEST_F(Identity, rotated_provider_keys_are_fetched_once_for_the_new_kid) {
  ASSERT_EQ(http_request(bed.vigie->port(), "GET", "/federate", "Authorization: Bearer " + daemon_token() + "\r\n")
                ->result_int(),
            200u);
  auto jwks_fetches = [&] { return bed.provider->state()["requests"].value("jwks", 0); };
  int before = jwks_fetches();
  bed.provider->rotate_keys(true);
  std::string fresh = daemon_token();
  for (int i = 0; i < 4; ++i) {
    auto r = http_request(bed.vigie->port(), "GET", "/federate", "Authorization: Bearer " + fresh + "\r\n");
    EXPECT_EQ(r->result_int(), 200u) << r->body();
  }
  EXPECT_EQ(jwks_fetches(), before + 1);
  // A made-up kid right after does not trigger another fetch (at most one per 5 minutes).
  std::string header = base64url_encode(R"({"alg":"RS256","kid":"made-up","typ":"JWT"})");
  std::string bogus = header + fresh.substr(fresh.find('.'));
  auto r = http_request(bed.vigie->port(), "GET", "/federate", "Authorization: Bearer " + bogus + "\r\n");
  EXPECT_EQ(r->result_int(), 401u);
  EXPECT_EQ(jwks_fetches(), before + 1);
}

TEST_F(Identity, forward_auth_answers_for_nginx_and_traefik_shapes) {
  ASSERT_EQ(login("alice").result_int(), 200u);
  std::string cookie = browser.cookie_header(bed.url("/"));
  auto nginx = http_request(bed.vigie->port(), "GET", "/oauth2/auth",
                            "X-Original-URL: http://127.0.0.1/openmrs/x\r\nX-Original-Method: GET\r\nCookie: " +
                                cookie + "\r\n");
  ASSERT_EQ(nginx->result_int(), 200u);
  EXPECT_EQ((*nginx)["X-Auth-Request-User"], "alice@contoso.test");
  EXPECT_EQ((*nginx)["X-Auth-Request-Email"], "alice@contoso.test");
  // Traefik's shape from a peer outside trusted_proxies describes nothing: with no route, no policy
  // lets the caller through (the trusted shape is tested with policies in authz_test.cc).
  auto traefik = http_request(bed.vigie->port(), "GET", "/oauth2/auth",
                              "X-Forwarded-Method: GET\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: "
                              "127.0.0.1\r\nX-Forwarded-Uri: /openmrs/x\r\nCookie: " + cookie + "\r\n");
  EXPECT_EQ(traefik->result_int(), 403u);
  auto anonymous = http_request(bed.vigie->port(), "GET", "/oauth2/auth", "X-Original-URL: http://127.0.0.1/openmrs/x\r\n");
  EXPECT_EQ(anonymous->result_int(), 401u);
  auto public_route = http_request(bed.vigie->port(), "GET", "/oauth2/auth", "X-Original-URL: http://127.0.0.1/public/a\r\n");
  EXPECT_EQ(public_route->result_int(), 200u);
  EXPECT_EQ(bed.upstream.count(), 1u);  // only the login's own navigation reached it
}

}  // namespace
}  // namespace vigie::testing

namespace vigie::testing {
namespace {

TEST_F(Identity, concurrent_requests_refresh_tokens_once) {
  // Tokens shorter than refresh_before (5 minutes): the first requests after login must refresh.
  bed.provider->set_ttl({.id_token = 120, .access_token = 120, .refresh_token = 86400});
  bed.provider->next_login("alice");
  browser.stop_before(bed.url("/openmrs/"));  // logged in, not yet back on the page
  browser.follow(bed.url("/openmrs/home"));
  std::string old_cookie = browser.cookie_header(bed.url("/"));
  ASSERT_NE(old_cookie.find("__Host-vigie="), std::string::npos);
  int uses_before = bed.provider->state().value("refresh_token_uses", 0);

  constexpr int kRequests = 8;
  std::vector<std::optional<Response>> answers(kRequests);
  std::vector<std::thread> threads;
  for (int i = 0; i < kRequests; ++i) {
    threads.emplace_back([&, i] {
      answers[i] = http_request(bed.vigie->port(), "GET", "/openmrs/x", "Cookie: " + old_cookie + "\r\n");
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& a : answers) {
    ASSERT_TRUE(a) << bed.vigie->stderr_text();
    EXPECT_EQ(a->result_int(), 200u) << a->body();
    EXPECT_NE(std::string((*a)[boost::beast::http::field::set_cookie]).find("__Host-vigie="), std::string::npos);
  }
  auto state = bed.provider->state();
  EXPECT_EQ(state.value("refresh_token_uses", 0), uses_before + 1);
  EXPECT_EQ(state.value("refresh_token_reuse", 0), 0);
  // A late request still carrying the old cookie reuses the result: no second refresh.
  auto late = http_request(bed.vigie->port(), "GET", "/openmrs/y", "Cookie: " + old_cookie + "\r\n");
  EXPECT_EQ(late->result_int(), 200u);
  EXPECT_EQ(bed.provider->state().value("refresh_token_uses", 0), uses_before + 1);
}

}  // namespace
}  // namespace vigie::testing

namespace vigie::testing {
namespace {

TEST_F(Identity, upstream_gets_a_signed_assertion_it_can_verify_with_vigie_jwks) {
  ASSERT_EQ(login("alice", "/jwt/home").result_int(), 200u);
  auto seen = bed.upstream.requests().back();
  auto assertion = seen.header("X-JWT-Assertion");
  ASSERT_TRUE(assertion);
  auto header = jwt_header(*assertion);
  auto claims = jwt_payload(*assertion);
  EXPECT_EQ(header["alg"], "RS256");
  EXPECT_EQ(claims["aud"], "127.0.0.1");
  EXPECT_EQ(claims["oid"], "a11ce000-0000-4000-8000-000000000001");
  EXPECT_EQ(claims["exp"].get<int64_t>() - claims["iat"].get<int64_t>(), 300);
  EXPECT_FALSE(claims["jti"].get<std::string>().empty());
  // The key is published; its kid names the one that signed.
  auto jwks = http_request(bed.vigie->port(), "GET", "/.well-known/vigie/jwks.json");
  ASSERT_EQ(jwks->result_int(), 200u);
  auto keys = nlohmann::json::parse(jwks->body())["keys"];
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0]["kid"], header["kid"]);
  EXPECT_EQ(keys[0]["kty"], "RSA");
  // An upstream verifies it with the published key.
  auto set = jwt::parse_jwks(jwks->body());
  ASSERT_TRUE(set);
  auto jws = jwt::parse(*assertion);
  ASSERT_TRUE(jws);
  auto key = set->select(jws->kid, jws->alg);
  ASSERT_TRUE(key);
  EXPECT_TRUE(jwt::verify_signature(*jws, **key));
}

}  // namespace
}  // namespace vigie::testing

namespace vigie::testing {
namespace {

TEST_F(Identity, forward_auth_judges_the_normalised_path_and_refuses_ambiguous_descriptions) {
  struct Case {
    std::string name, target, headers;
    unsigned status;
  };
  for (const auto& c : std::vector<Case>{
           {"dot_dot_out_of_public", "/oauth2/auth", "X-Original-URL: http://127.0.0.1/public/../openmrs/x\r\n", 401},
           {"encoded_dot_dot", "/oauth2/auth", "X-Original-URL: http://127.0.0.1/public/%2e%2e/openmrs/x\r\n", 401},
           {"tomcat_dot_dot_semicolon", "/oauth2/auth", "X-Original-URL: http://127.0.0.1/public/..;/openmrs/x\r\n", 400},
           {"unparseable_original_url", "/oauth2/auth", "X-Original-URL: http://127.0.0.1\\public\r\n", 400},
           // Traefik-shaped (X-Forwarded-Uri): X-Original-* are the client's and ignored; untrusted, it describes nothing.
           {"original_url_beside_forwarded_uri_ignored", "/oauth2/auth",
            "X-Original-URL: http://127.0.0.1/public/\r\nX-Forwarded-Host: 127.0.0.1\r\nX-Forwarded-Uri: /public/\r\n", 401},
           // X-Forwarded-* from a peer outside trusted_proxies say nothing: the default (a credential) applies.
           {"untrusted_forwarded_headers", "/oauth2/auth", "X-Forwarded-Host: 127.0.0.1\r\nX-Forwarded-Uri: /public/\r\n", 401},
           {"envoy_public", "/oauth2/auth/public/a", "", 200},
           {"envoy_protected", "/oauth2/auth/openmrs/x", "", 401},
           {"envoy_dot_dot", "/oauth2/auth/public/%2e%2e/openmrs/x", "", 401}}) {
    auto r = http_request(bed.vigie->port(), "GET", c.target, c.headers);
    ASSERT_TRUE(r) << c.name;
    EXPECT_EQ(r->result_int(), c.status) << c.name << " " << r->body();
  }
  ASSERT_EQ(login("alice").result_int(), 200u);
  // Envoy hands our answer to the browser: a navigation gets the login on the protected host.
  auto nav = http_request(bed.vigie->port(), "GET", "/oauth2/auth/openmrs/x?a=1", "Accept: text/html\r\n");
  EXPECT_EQ(nav->result_int(), 302u);
  EXPECT_EQ((*nav)[boost::beast::http::field::location], "http://app.test/oauth2/start?rd=%2Fopenmrs%2Fx%3Fa%3D1");
  // NGINX needs a 401 (it redirects to its auth-signin itself), even for a navigation.
  auto nginx_nav = http_request(bed.vigie->port(), "GET", "/oauth2/auth",
                                "Accept: text/html\r\nX-Original-URL: http://127.0.0.1/openmrs/x\r\n");
  EXPECT_EQ(nginx_nav->result_int(), 401u);
  auto envoy = http_request(bed.vigie->port(), "GET", "/oauth2/auth/openmrs/x",
                            "Cookie: " + browser.cookie_header(bed.url("/")) + "\r\n");
  EXPECT_EQ(envoy->result_int(), 200u);
  EXPECT_EQ((*envoy)["X-Auth-Request-User"], "alice@contoso.test");
}

}  // namespace
}  // namespace vigie::testing

namespace vigie::testing {
namespace {

TEST(IdentityCheck, check_builds_the_key_ring_and_names_the_secret) {
  std::string dir = make_temp_dir();
  std::ofstream(dir + "/keys") << "this is not a key\n";
  std::ofstream(dir + "/secret") << "s\n";
  std::string path = dir + "/vigie.yaml";
  std::ofstream(path) << "listeners: [{name: http, address: 127.0.0.1, port: 0}]\n"
                         "clusters: [{name: app, endpoints: [\"http://127.0.0.1:9\"]}]\n"
                         "routes: [{id: a, path: {prefix: /}, cluster: app, auth: session, policy: authenticated}]\n"
                         "identity:\n"
                         "  provider: {issuer: \"https://login.microsoftonline.com/t/v2.0\", client_id: c, "
                         "client_secret: {file: " + dir + "/secret}}\n"
                         "  session: {keys: {file: " + dir + "/keys}}\n";
  std::string out;
  EXPECT_EQ(run_command(std::string(VIGIE_BINARY) + " check --config " + path, &out), 1);
  EXPECT_NE(out.find("identity.session.keys (file " + dir + "/keys)"), std::string::npos) << out;
  EXPECT_NE(out.find("openssl rand -base64 32"), std::string::npos) << out;
  EXPECT_EQ(out.find("this is not a key"), std::string::npos) << out;  // never the secret itself
}

}  // namespace
}  // namespace vigie::testing

namespace vigie::testing {
namespace {

const std::string kAliceOid = "a11ce000-0000-4000-8000-000000000001";  // standard_tenant()

// The session in a cookie-store bed's cookie, opened with the bed's key ring as Vigie opens it.
std::optional<session::SessionData> open_session(const IdentityBed& bed, const std::string& cookie_header) {
  std::ifstream in(bed.dir + "/keys");
  std::string keys((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto ring = session::KeyRing::parse(keys);
  auto sealed = session::read_chunked(cookie_header, "__Host-vigie");
  if (!ring || !sealed) return std::nullopt;
  auto plain = session::open(*ring, "__Host-vigie", *sealed);
  if (!plain) return std::nullopt;
  auto data = session::from_json(*plain);
  return data ? std::optional(std::move(*data)) : std::nullopt;
}

TEST_F(Identity, sessions_hold_no_access_token_when_no_route_forwards_it) {
  ASSERT_EQ(login("alice").result_int(), 200u);
  auto data = open_session(bed, browser.cookie_header(bed.url("/")));
  ASSERT_TRUE(data);
  EXPECT_EQ(data->oid, kAliceOid);
  EXPECT_FALSE(data->refresh_token.empty());
  EXPECT_FALSE(data->id_token.empty());
  EXPECT_GT(data->tokens_expire, 0);
  EXPECT_TRUE(data->access_token.empty());
  EXPECT_FALSE(bed.upstream.requests().back().header("X-Forwarded-Access-Token"));
}

TEST(IdentityAccessToken, a_route_that_forwards_it_gets_the_users_current_access_token) {
  IdentityBed bed(kRoutes + R"(  - id: graph-client
    path: {prefix: /graph-client/}
    cluster: app
    auth: session
    policy: authenticated
    identity_headers: {access_token: true}
  - id: token-api
    path: {prefix: /token-api/}
    cluster: app
    auth: bearer
    policy: authenticated
    bearer: {audiences: ["api://vigie"]}
    identity_headers: {access_token: true}
)");
  Browser browser;
  bed.provider->next_login("alice");
  ASSERT_EQ(browser.follow(bed.url("/graph-client/me")).result_int(), 200u);
  auto forwarded = bed.upstream.requests().back().header("X-Forwarded-Access-Token");
  ASSERT_TRUE(forwarded);
  auto claims = jwt_payload(*forwarded);  // the provider's Entra-shaped access token for alice
  EXPECT_EQ(claims["oid"], kAliceOid);
  auto data = open_session(bed, browser.cookie_header(bed.url("/")));
  ASSERT_TRUE(data);
  EXPECT_EQ(data->access_token, *forwarded);
  // A bearer caller's own token, there too, on a route that forwards it.
  std::string token = bed.provider->client_credentials_token("daemon", "daemon-secret", "api://vigie/.default");
  auto r = http_request(bed.vigie->port(), "GET", "/token-api/x", "Authorization: Bearer " + token + "\r\n");
  ASSERT_EQ(r->result_int(), 200u) << r->body();
  EXPECT_EQ(bed.upstream.requests().back().header("X-Forwarded-Access-Token"), token);
  EXPECT_FALSE(bed.upstream.requests().back().header("Authorization"));
  // Only that route gets it.
  ASSERT_EQ(browser.follow(bed.url("/openmrs/home")).result_int(), 200u);
  EXPECT_FALSE(bed.upstream.requests().back().header("X-Forwarded-Access-Token"));
}

}  // namespace
}  // namespace vigie::testing

namespace vigie::testing {
namespace {

TEST(IdentityGraph, overage_user_groups_come_from_graph_when_configured) {
  IdentityBed bed(kRoutes, "", "    groups_overage: graph\n    graph_url: \"{provider}/graph\"\n");
  Browser browser;
  bed.provider->next_login("overage");
  // 250 group ids make a ~9 KB X-Forwarded-Groups header, over many upstreams' 8 KB header limit
  // (the recording upstream's too): read the identity from userinfo instead.
  Response r = browser.follow(bed.url("/oauth2/start?rd=%2Foauth2%2Fuserinfo"));
  ASSERT_EQ(r.result_int(), 200u) << r.body();
  auto groups = nlohmann::json::parse(r.body())["groups"];
  EXPECT_EQ(groups.size(), 250u);  // all pages followed
  EXPECT_EQ(groups.back(), test_group_id(250));
  EXPECT_GE(bed.provider->state().value("graph_requests", 0), 3);    // 100 per page in the fake
}

}  // namespace
}  // namespace vigie::testing

namespace vigie::testing {
namespace {

TEST_F(Identity, provider_logout_ends_copies_of_the_session_cookie_through_back_channel) {
  ASSERT_EQ(login("alice").result_int(), 200u);
  std::string copied = browser.cookie_header(bed.url("/"));  // e.g. stolen, or another tab's
  // Signing out runs the provider's end_session, which POSTs a logout_token to Vigie.
  Response out = browser.follow(bed.url("/oauth2/sign_out"));
  EXPECT_EQ(bed.provider->state().value("logouts", 0), 1);
  auto replayed = http_request(bed.vigie->port(), "GET", "/openmrs/x", "Accept: application/json\r\nCookie: " + copied + "\r\n");
  ASSERT_TRUE(replayed);
  EXPECT_EQ(replayed->result_int(), 401u) << replayed->body();
  // Another user's session lives on.
  Browser other;
  bed.provider->next_login("bob");
  EXPECT_EQ(other.follow(bed.url("/openmrs/y")).result_int(), 200u);
}

TEST_F(Identity, back_channel_logout_refuses_bad_tokens) {
  struct Case {
    std::string name, method, body;
  };
  for (const auto& c : std::vector<Case>{{"get", "GET", ""},
                                         {"missing", "POST", "other=1"},
                                         {"not_a_jwt", "POST", "logout_token=abc"},
                                         {"id_token_shaped_garbage", "POST", "logout_token=eyJhbGciOiJub25lIn0.e30."}}) {
    std::string headers = c.body.empty() ? "" : "Content-Type: application/x-www-form-urlencoded\r\n";
    auto r = http_request(bed.vigie->port(), c.method, "/oauth2/backchannel_logout", headers, c.body);
    ASSERT_TRUE(r) << c.name;
    EXPECT_EQ(r->result_int(), 400u) << c.name << " " << r->body();
  }
}

}  // namespace
}  // namespace vigie::testing

namespace vigie::testing {
namespace {

// The same login with sessions in Redis: the cookie is a short ticket, the session lives
// server-side, and ending it at sign-out ends every copy of the cookie. The worker's session cache
// is off, so every request asks Redis (what these tests are about).
class IdentityRedis : public ::testing::Test {
 protected:
  RedisServer redis{"redis-test-password"};
  IdentityBed bed{kRoutes, redis_session_config()};
  Browser browser;

  std::string redis_session_config() {
    std::string dir = make_temp_dir();
    std::ofstream(dir + "/redis-password") << redis.password() << "\n";
    return "    store: redis\n    cache: 0s\n    redis: {host: 127.0.0.1, port: " + std::to_string(redis.port()) +
           ", password: {file: " + dir + "/redis-password}}\n";
  }
};

TEST_F(IdentityRedis, login_keeps_a_ticket_in_the_cookie_and_sign_out_ends_copies) {
  bed.provider->next_login("alice");
  ASSERT_EQ(browser.follow(bed.url("/openmrs/x")).result_int(), 200u);
  EXPECT_EQ(bed.upstream.requests().back().header("X-Forwarded-User"), "alice@contoso.test");
  auto session = browser.cookie("__Host-vigie");
  ASSERT_TRUE(session);
  EXPECT_EQ(session->value.size(), 22u + 1 + 43);  // <id>.<secret>: no tokens, no groups
  EXPECT_FALSE(browser.cookie("__Host-vigie_1"));
  std::string copied = browser.cookie_header(bed.url("/"));
  browser.stop_before(bed.provider->end_session_endpoint());
  (void)browser.follow(bed.url("/oauth2/sign_out"));
  auto replayed = http_request(bed.vigie->port(), "GET", "/openmrs/x", "Accept: application/json\r\nCookie: " + copied + "\r\n");
  EXPECT_EQ(replayed->result_int(), 401u);
}

TEST_F(IdentityRedis, redis_down_is_a_503_not_a_login_loop) {
  bed.provider->next_login("alice");
  ASSERT_EQ(browser.follow(bed.url("/openmrs/x")).result_int(), 200u);
  redis.kill();
  Response r = browser.get(bed.url("/openmrs/x"), {{"Accept", "application/json"}});
  EXPECT_EQ(r.result_int(), 503u);
  EXPECT_EQ(nlohmann::json::parse(r.body())["error"], "identity_provider_unavailable");
  EXPECT_TRUE(browser.cookie("__Host-vigie"));  // the session is not thrown away
}

}  // namespace
}  // namespace vigie::testing

namespace vigie::testing {
namespace {

// Regression: with an identity section and the provider's keys fetched, Vigie crashed at exit
// (libstdc++ 12's std::atomic<std::shared_ptr>, -O2 builds).
TEST_F(Identity, drains_and_exits_cleanly_with_identity_state) {
  ASSERT_EQ(login("alice").result_int(), 200u);
  bed.vigie->signal(SIGTERM);
  EXPECT_EQ(bed.vigie->wait_exit(std::chrono::seconds(20)), 0) << bed.vigie->stderr_text();
}

}  // namespace
}  // namespace vigie::testing
