// Proves that the Entra-shaped provider fixture behaves like Entra ID where Vigie depends on it:
// discovery, auth code + PKCE, ID token claims, group overage, the Graph fake, client credentials,
// key rotation, refresh token rotation, logout, TLS. Each test starts its own provider.
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <ctime>
#include <memory>
#include <set>

#include "support/browser.h"
#include "support/oidc_provider.h"
#include "support/upstream.h"

namespace vigie::testing {
namespace {

// Nothing listens here: the browser stops before requesting it, and the test reads code and state
// from the Location it was sent to.
const std::string kRedirect = "http://127.0.0.1:9/callback";
const std::string kPostLogout = "http://127.0.0.1:9/signed-out";

struct Login {
  std::string code;
  std::string state;
  std::string nonce;
  Pkce pkce;
};

Login login(const OidcProvider& op, Browser& browser,
            const std::string& scope = "openid profile email offline_access") {
  Login l{"", random_urlsafe(16), random_urlsafe(16), make_pkce()};
  browser.stop_before(kRedirect);
  AuthorizationRequest req;
  req.redirect_uri = kRedirect;
  req.scope = scope;
  req.state = l.state;
  req.nonce = l.nonce;
  req.code_challenge = l.pkce.challenge;
  Response r = browser.follow(op.authorization_url(req));
  EXPECT_EQ(r.result_int(), 303u) << r.body();
  std::string location = browser.chain().back().location;
  EXPECT_TRUE(location.starts_with(kRedirect + "?")) << location;
  l.code = query_param(location, "code").value_or("");
  EXPECT_EQ(query_param(location, "state").value_or(""), l.state);
  return l;
}

nlohmann::json redeem(const OidcProvider& op, const Login& l) {
  TokenResponse t = op.token_request({{"grant_type", "authorization_code"},
                                      {"code", l.code},
                                      {"redirect_uri", kRedirect},
                                      {"code_verifier", l.pkce.verifier}},
                                     std::pair<std::string, std::string>{"vigie", "vigie-secret"});
  EXPECT_EQ(t.status, 200u) << t.body.dump();
  return t.body;
}

Response graph_get(const OidcProvider& op, const std::string& url, const std::string& token) {
  Headers h = {{"Accept", "application/json"}};
  if (!token.empty()) h.emplace_back("Authorization", "Bearer " + token);
  return fetch({"GET", url, h, "", op.ca_file()});
}

std::set<std::string> jwks_kids(const OidcProvider& op) {
  std::set<std::string> kids;
  auto jwks = op.get_json(op.jwks_uri());
  for (const auto& k : jwks["keys"]) kids.insert(k["kid"].get<std::string>());
  return kids;
}

class OidcFixture : public ::testing::Test {
 protected:
  OidcProvider op{standard_tenant(kRedirect, kPostLogout)};
};

TEST_F(OidcFixture, discovery_is_entra_v2_shaped) {
  const std::string base = "http://127.0.0.1:" + std::to_string(op.port());
  const std::string t = op.tenant();
  EXPECT_EQ(op.issuer(), base + "/" + t + "/v2.0");
  auto d = op.get_json(op.discovery_url());
  EXPECT_EQ(d["issuer"], op.issuer());
  EXPECT_EQ(d["authorization_endpoint"], base + "/" + t + "/oauth2/v2.0/authorize");
  EXPECT_EQ(d["token_endpoint"], base + "/" + t + "/oauth2/v2.0/token");
  EXPECT_EQ(d["jwks_uri"], base + "/" + t + "/discovery/v2.0/keys");
  EXPECT_EQ(d["end_session_endpoint"], base + "/" + t + "/oauth2/v2.0/logout");
  EXPECT_EQ(d["userinfo_endpoint"], base + "/graph/oidc/userinfo");
  EXPECT_EQ(d["id_token_signing_alg_values_supported"], nlohmann::json::array({"RS256"}));
  EXPECT_EQ(d["code_challenge_methods_supported"], nlohmann::json::array({"S256"}));
  EXPECT_EQ(d["subject_types_supported"], nlohmann::json::array({"pairwise"}));
  auto methods = d["token_endpoint_auth_methods_supported"];
  for (const char* m : {"client_secret_basic", "client_secret_post", "private_key_jwt"}) {
    EXPECT_NE(std::find(methods.begin(), methods.end(), m), methods.end()) << m;
  }
  auto keys = op.get_json(op.jwks_uri())["keys"];
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0]["kty"], "RSA");
  EXPECT_EQ(keys[0]["use"], "sig");
  EXPECT_FALSE(keys[0]["kid"].get<std::string>().empty());
  EXPECT_FALSE(keys[0].contains("d")) << "private key material in the JWKS";
  // Only the v2.0 document exists: a client built on the v1 path fails loudly.
  EXPECT_EQ(fetch({"GET", op.base_url() + "/" + t + "/.well-known/openid-configuration"}).result_int(), 404u);
}

TEST_F(OidcFixture, auth_code_with_pkce_issues_entra_id_token) {
  Browser browser;
  Login l = login(op, browser);
  // authorize → interaction (auto login and consent) → resume → redirect_uri
  ASSERT_EQ(browser.chain().size(), 3u);
  EXPECT_NE(browser.chain()[0].location.find("/oauth2/v2.0/interaction/"), std::string::npos);
  auto tokens = redeem(op, l);
  EXPECT_EQ(tokens["token_type"], "Bearer");
  ASSERT_TRUE(tokens.contains("refresh_token"));
  const std::string id_token = tokens["id_token"];
  auto h = jwt_header(id_token);
  EXPECT_EQ(h["alg"], "RS256");
  EXPECT_EQ(jwks_kids(op).count(h["kid"].get<std::string>()), 1u);
  auto c = jwt_payload(id_token);
  EXPECT_EQ(c["iss"], op.issuer());
  EXPECT_EQ(c["aud"], "vigie");
  EXPECT_EQ(c["ver"], "2.0");
  EXPECT_EQ(c["tid"], op.tenant());
  EXPECT_EQ(c["oid"], "a11ce000-0000-4000-8000-000000000001");
  EXPECT_EQ(c["nonce"], l.nonce);
  EXPECT_EQ(c["name"], "Alice Martin");
  EXPECT_EQ(c["preferred_username"], "alice@contoso.test");
  EXPECT_EQ(c["email"], "alice@contoso.test");
  EXPECT_EQ(c["groups"], nlohmann::json::array({test_group_id(1), test_group_id(2), test_group_id(3)}));
  EXPECT_EQ(c["roles"], nlohmann::json::array({"Vigie.Admin"}));
  // Entra's sub is pairwise (per application) and never the object id.
  EXPECT_NE(c["sub"], c["oid"]);
  EXPECT_EQ(c["sub"].get<std::string>().size(), 43u);
  EXPECT_FALSE(c.contains("_claim_names"));
  // The access token is for Microsoft Graph, as on Entra when no API scope is asked for.
  auto at = jwt_payload(tokens["access_token"].get<std::string>());
  EXPECT_EQ(at["aud"], "https://graph.microsoft.com");
  EXPECT_EQ(at["oid"], c["oid"]);
  EXPECT_EQ(at["azp"], "vigie");
  // UserInfo lives on Graph, as on Entra, and takes that token.
  auto discovery = op.get_json(op.discovery_url());
  Response ui = graph_get(op, discovery["userinfo_endpoint"], tokens["access_token"]);
  ASSERT_EQ(ui.result_int(), 200u) << ui.body();
  EXPECT_EQ(nlohmann::json::parse(ui.body())["sub"], c["sub"]);
}

TEST_F(OidcFixture, code_is_single_use_and_bound_to_the_verifier) {
  Browser browser;
  Login l = login(op, browser);
  Login wrong = l;
  wrong.pkce = make_pkce();
  TokenResponse bad = op.token_request({{"grant_type", "authorization_code"},
                                        {"code", l.code},
                                        {"redirect_uri", kRedirect},
                                        {"code_verifier", wrong.pkce.verifier}},
                                       std::pair<std::string, std::string>{"vigie", "vigie-secret"});
  EXPECT_EQ(bad.status, 400u);
  EXPECT_EQ(bad.body["error"], "invalid_grant");
  EXPECT_TRUE(bad.body.contains("error_codes")) << "Entra error bodies carry error_codes";
}

TEST_F(OidcFixture, pkce_is_required) {
  Browser browser;
  browser.stop_before(kRedirect);
  AuthorizationRequest req;
  req.redirect_uri = kRedirect;
  req.state = "s1";
  browser.follow(op.authorization_url(req));
  std::string location = browser.chain().back().location;
  EXPECT_EQ(query_param(location, "error").value_or(""), "invalid_request") << location;
  EXPECT_EQ(query_param(location, "state").value_or(""), "s1");
}

TEST_F(OidcFixture, wrong_client_secret_is_invalid_client) {
  Browser browser;
  Login l = login(op, browser);
  TokenResponse t = op.token_request({{"grant_type", "authorization_code"},
                                      {"code", l.code},
                                      {"redirect_uri", kRedirect},
                                      {"code_verifier", l.pkce.verifier}},
                                     std::pair<std::string, std::string>{"vigie", "not-the-secret"});
  EXPECT_EQ(t.status, 401u);
  EXPECT_EQ(t.body["error"], "invalid_client");
}

TEST_F(OidcFixture, overage_user_gets_claim_sources_instead_of_groups) {
  op.next_login("overage");
  Browser browser;
  auto c = jwt_payload(redeem(op, login(op, browser))["id_token"].get<std::string>());
  EXPECT_EQ(c["oid"], "0e4a6e00-0000-4000-8000-000000000003");
  EXPECT_FALSE(c.contains("groups"));
  EXPECT_EQ(c["_claim_names"], nlohmann::json({{"groups", "src1"}}));
  EXPECT_EQ(c["_claim_sources"]["src1"]["endpoint"],
            op.base_url() + "/graph/v1.0/users/0e4a6e00-0000-4000-8000-000000000003/getMemberObjects");
}

TEST_F(OidcFixture, graph_pages_through_all_groups_with_the_users_token) {
  op.next_login("overage");
  Browser browser;
  auto tokens = redeem(op, login(op, browser, "openid profile GroupMember.Read.All"));
  const std::string at = tokens["access_token"];
  EXPECT_EQ(jwt_payload(at)["scp"], "GroupMember.Read.All");
  std::set<std::string> ids;
  int pages = 0;
  std::string url = op.graph_url() + "/me/transitiveMemberOf?$select=id";
  while (!url.empty()) {
    Response r = graph_get(op, url, at);
    ASSERT_EQ(r.result_int(), 200u) << r.body();
    auto page = nlohmann::json::parse(r.body());
    EXPECT_TRUE(
        page["@odata.context"].get<std::string>().starts_with("https://graph.microsoft.com/v1.0/$metadata#"));
    for (const auto& g : page["value"]) {
      EXPECT_EQ(g["@odata.type"], "#microsoft.graph.group");
      ids.insert(g["id"].get<std::string>());
    }
    url = page.value("@odata.nextLink", "");
    ASSERT_LT(++pages, 10);
  }
  EXPECT_EQ(pages, 3);  // 100 + 100 + 50
  EXPECT_EQ(ids.size(), 250u);
  EXPECT_EQ(ids.count(test_group_id(250)), 1u);

  // The cast form pages too; a $top above the server's page size (100 here) still gets 100, as
  // Graph may return fewer items than asked: clients must follow nextLink.
  Response cast =
      graph_get(op, op.graph_url() + "/me/transitiveMemberOf/microsoft.graph.group?$top=200&$select=id", at);
  ASSERT_EQ(cast.result_int(), 200u) << cast.body();
  auto first = nlohmann::json::parse(cast.body());
  EXPECT_EQ(first["value"].size(), 100u);
  EXPECT_EQ(first["@odata.context"], "https://graph.microsoft.com/v1.0/$metadata#groups(id)");
  auto second = nlohmann::json::parse(graph_get(op, first["@odata.nextLink"], at).body());
  EXPECT_EQ(second["value"].size(), 100u);
  auto third = nlohmann::json::parse(graph_get(op, second["@odata.nextLink"], at).body());
  EXPECT_EQ(third["value"].size(), 50u);
  EXPECT_FALSE(third.contains("@odata.nextLink"));

  // The distributed-claims endpoint named in the ID token answers with the same token.
  FetchRequest post{"POST",
                    op.graph_url() + "/users/0e4a6e00-0000-4000-8000-000000000003/getMemberObjects",
                    {{"Authorization", "Bearer " + at}, {"Content-Type", "application/json"}},
                    R"({"securityEnabledOnly":false})",
                    op.ca_file()};
  Response r = fetch(post);
  ASSERT_EQ(r.result_int(), 200u) << r.body();
  EXPECT_EQ(nlohmann::json::parse(r.body())["value"].size(), 250u);
}

TEST_F(OidcFixture, graph_rejects_missing_forged_and_foreign_tokens) {
  const std::string url = op.graph_url() + "/me/transitiveMemberOf?$select=id";
  Response none = graph_get(op, url, "");
  EXPECT_EQ(none.result_int(), 401u);
  auto err = nlohmann::json::parse(none.body());
  EXPECT_EQ(err["error"]["code"], "InvalidAuthenticationToken");
  EXPECT_TRUE(err["error"]["innerError"].contains("request-id"));
  EXPECT_NE(none.find(boost::beast::http::field::www_authenticate), none.end());

  Browser browser;
  std::string at = redeem(op, login(op, browser))["access_token"];
  std::string forged = at;
  forged[forged.size() - 5] = forged[forged.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(graph_get(op, url, forged).result_int(), 401u);
  // A token for another audience (an API) is not a Graph token.
  std::string api = op.client_credentials_token("daemon", "daemon-secret", "api://vigie-api/.default");
  Response foreign = graph_get(op, url, api);
  EXPECT_EQ(foreign.result_int(), 401u);
  EXPECT_NE(foreign.body().find("Invalid audience"), std::string::npos) << foreign.body();
  EXPECT_EQ(graph_get(op, url, at).result_int(), 200u);
}

TEST_F(OidcFixture, client_credentials_token_carries_app_roles) {
  std::string at = op.client_credentials_token("daemon", "daemon-secret", "api://vigie-api/.default");
  auto h = jwt_header(at);
  EXPECT_EQ(h["alg"], "RS256");
  EXPECT_EQ(h["typ"], "JWT");
  EXPECT_EQ(jwks_kids(op).count(h["kid"].get<std::string>()), 1u);
  auto c = jwt_payload(at);
  EXPECT_EQ(c["aud"], "api://vigie-api");
  EXPECT_EQ(c["iss"], op.issuer());
  EXPECT_EQ(c["tid"], op.tenant());
  EXPECT_EQ(c["ver"], "2.0");
  EXPECT_EQ(c["azp"], "daemon");
  EXPECT_EQ(c["oid"], "d0d0d0d0-0000-4000-8000-000000000001");
  EXPECT_EQ(c["sub"], c["oid"]);
  EXPECT_EQ(c["idtyp"], "app");
  EXPECT_EQ(c["roles"], nlohmann::json::array({"Vigie.Api.Call"}));
  EXPECT_TRUE(c.contains("uti"));
  EXPECT_FALSE(c.contains("scp")) << "application tokens carry roles, not scopes";
  EXPECT_EQ(c["exp"].get<int64_t>() - c["iat"].get<int64_t>(), 3600);
  EXPECT_EQ(op.state()["token_requests"]["client_credentials"], 1);
}

TEST_F(OidcFixture, ttl_changes_apply_to_new_tokens) {
  op.set_ttl({.id_token = 120, .access_token = 60, .refresh_token = 300});
  auto c = jwt_payload(op.client_credentials_token("daemon", "daemon-secret", "api://vigie-api/.default"));
  EXPECT_EQ(c["exp"].get<int64_t>() - c["iat"].get<int64_t>(), 60);
  Browser browser;
  auto id = jwt_payload(redeem(op, login(op, browser))["id_token"].get<std::string>());
  EXPECT_EQ(id["exp"].get<int64_t>() - id["iat"].get<int64_t>(), 120);
}

TEST_F(OidcFixture, rotated_key_signs_new_tokens_and_joins_the_jwks) {
  const std::string scope = "api://vigie-api/.default";
  std::string old_kid = jwt_header(op.client_credentials_token("daemon", "daemon-secret", scope))["kid"];
  std::string new_kid = op.rotate_keys();
  EXPECT_NE(new_kid, old_kid);
  EXPECT_EQ(jwt_header(op.client_credentials_token("daemon", "daemon-secret", scope))["kid"], new_kid);
  EXPECT_EQ(jwks_kids(op), (std::set<std::string>{old_kid, new_kid}));
  Browser browser;
  EXPECT_EQ(jwt_header(redeem(op, login(op, browser))["id_token"].get<std::string>())["kid"], new_kid);

  std::string newest = op.rotate_keys(/*drop_old=*/true);
  EXPECT_EQ(jwks_kids(op), std::set<std::string>{newest});
  EXPECT_EQ(op.state()["signing_kid"], newest);
}

TEST_F(OidcFixture, refresh_token_rotates_and_reuse_revokes_the_grant) {
  Browser browser;
  auto tokens = redeem(op, login(op, browser));
  const std::string rt1 = tokens["refresh_token"];
  auto basic = std::pair<std::string, std::string>{"vigie", "vigie-secret"};
  TokenResponse r2 = op.token_request({{"grant_type", "refresh_token"}, {"refresh_token", rt1}}, basic);
  ASSERT_EQ(r2.status, 200u) << r2.body.dump();
  const std::string rt2 = r2.body["refresh_token"];
  EXPECT_NE(rt2, rt1);
  EXPECT_EQ(jwt_payload(r2.body["id_token"].get<std::string>())["oid"],
            "a11ce000-0000-4000-8000-000000000001");

  TokenResponse reuse = op.token_request({{"grant_type", "refresh_token"}, {"refresh_token", rt1}}, basic);
  EXPECT_EQ(reuse.status, 400u);
  EXPECT_EQ(reuse.body["error"], "invalid_grant");
  // Reuse of a rotated token revokes the whole grant, the newest refresh token included.
  TokenResponse after = op.token_request({{"grant_type", "refresh_token"}, {"refresh_token", rt2}}, basic);
  EXPECT_EQ(after.status, 400u);

  auto s = op.state();
  EXPECT_EQ(s["refresh_token_uses"], 1);
  EXPECT_EQ(s["refresh_token_reuse"], 1);
  EXPECT_EQ(s["token_errors"]["refresh_token"], 2);
  EXPECT_EQ(s["token_requests"]["authorization_code"], 1);
}

TEST_F(OidcFixture, next_login_switches_user_in_the_same_browser) {
  Browser browser;
  auto a = jwt_payload(redeem(op, login(op, browser))["id_token"].get<std::string>());
  EXPECT_EQ(a["oid"], "a11ce000-0000-4000-8000-000000000001");
  // Same user again: the provider session answers without a new login (single sign-on).
  redeem(op, login(op, browser));
  EXPECT_EQ(op.state()["logins"], 1);
  op.next_login("bob");
  auto b = jwt_payload(redeem(op, login(op, browser))["id_token"].get<std::string>());
  EXPECT_EQ(b["oid"], "b0b00000-0000-4000-8000-000000000002");
  EXPECT_FALSE(b.contains("roles"));
  EXPECT_EQ(op.state()["logins"], 2);
}

TEST_F(OidcFixture, logout_with_id_token_hint_returns_to_post_logout_uri) {
  Browser browser;
  std::string id_token = redeem(op, login(op, browser))["id_token"];
  browser.stop_before(kPostLogout);
  Form q = {{"id_token_hint", id_token}, {"post_logout_redirect_uri", kPostLogout}, {"state", "bye"}};
  Response r = browser.follow(op.end_session_endpoint() + "?" + form_encode(q));
  EXPECT_EQ(r.result_int(), 303u);
  std::string location = browser.chain().back().location;
  EXPECT_TRUE(location.starts_with(kPostLogout)) << location;
  EXPECT_EQ(query_param(location, "state").value_or(""), "bye");
  EXPECT_EQ(op.state()["logouts"], 1);
  // The provider session is gone: the next authorization logs in again.
  redeem(op, login(op, browser));
  EXPECT_EQ(op.state()["logins"], 2);
}

// A redirect from the provider (127.0.0.1) to an app on localhost crosses sites: Chromium sends
// Lax cookies (and cookies without SameSite) on that top-level GET, never Strict ones.
TEST(BrowserWithProvider, cross_site_redirect_sends_lax_but_not_strict_cookies) {
  RecordingUpstream app;
  const std::string callback = "http://localhost:" + std::to_string(app.port()) + "/callback";
  OidcProvider op(standard_tenant(callback));
  Browser browser;
  ASSERT_TRUE(browser.set_cookie(callback, "strict=1; Path=/; SameSite=Strict"));
  ASSERT_TRUE(browser.set_cookie(callback, "lax=1; Path=/; SameSite=Lax"));
  ASSERT_TRUE(browser.set_cookie(callback, "unset=1; Path=/"));
  AuthorizationRequest req;
  req.redirect_uri = callback;
  req.state = "s";
  req.code_challenge = make_pkce().challenge;
  Response r = browser.follow(op.authorization_url(req));
  ASSERT_EQ(r.result_int(), 200u) << r.body();  // the upstream's echo of the callback request
  EXPECT_TRUE(browser.url().starts_with(callback + "?code="));
  auto seen = app.requests().back();
  EXPECT_TRUE(seen.target.starts_with("/callback?code="));
  EXPECT_EQ(seen.header("cookie"), "lax=1; unset=1");
  // Typed into the address bar (no initiator), all three go.
  browser.get(callback);
  EXPECT_EQ(app.requests().back().header("cookie"), "strict=1; lax=1; unset=1");
}

// response_mode=form_post: the provider answers with a self-submitting form, which the browser
// posts to the redirect URI (cross-site here, as from login.microsoftonline.com to an app).
TEST(BrowserWithProvider, form_post_response_is_submitted_to_the_redirect_uri) {
  RecordingUpstream app;
  const std::string callback = "http://localhost:" + std::to_string(app.port()) + "/callback";
  OidcProvider op(standard_tenant(callback));
  Browser browser;
  AuthorizationRequest req;
  req.redirect_uri = callback;
  req.state = "s";
  req.code_challenge = make_pkce().challenge;
  req.extra = {{"response_mode", "form_post"}};
  Response r = browser.follow(op.authorization_url(req));
  ASSERT_EQ(r.result_int(), 200u) << r.body();
  EXPECT_EQ(browser.chain().back().method, "POST");
  auto seen = app.requests().back();
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/callback");
  EXPECT_EQ(seen.header("content-type"), "application/x-www-form-urlencoded");
  EXPECT_GT(seen.body_bytes, 40u);  // code=…&state=s&iss=…
}

TEST(OidcFixtureApis, api_token_audience_is_the_app_id) {
  OidcProviderOptions o = standard_tenant(kRedirect);
  o.api_app_ids = {{"api://vigie-api", "5e7a0000-0000-4000-8000-00000000a9b1"}};
  OidcProvider op(o);
  auto c = jwt_payload(op.client_credentials_token("daemon", "daemon-secret", "api://vigie-api/.default"));
  EXPECT_EQ(c["aud"], "5e7a0000-0000-4000-8000-00000000a9b1");
  // A bare application id as scope prefix names the same kind of API.
  auto g = jwt_payload(op.client_credentials_token("daemon", "daemon-secret",
                                                   "6f6f0000-0000-4000-8000-000000000001/.default"));
  EXPECT_EQ(g["aud"], "6f6f0000-0000-4000-8000-000000000001");
}

// private_key_jwt: the client proves itself with an RS256 assertion signed by its own key.
TEST(OidcFixtureClientAuth, private_key_jwt_client_credentials) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_RSA_gen(2048), EVP_PKEY_free);
  ASSERT_TRUE(key);
  auto bn = [&](const char* name) {
    BIGNUM* b = nullptr;
    EVP_PKEY_get_bn_param(key.get(), name, &b);
    std::string bytes(static_cast<size_t>(BN_num_bytes(b)), '\0');
    BN_bn2bin(b, reinterpret_cast<unsigned char*>(bytes.data()));
    BN_free(b);
    return base64url_encode(bytes);
  };
  OidcProviderOptions o = standard_tenant(kRedirect);
  OidcClient cert_client;
  cert_client.client_id = "cert-daemon";
  cert_client.grant_types = {"client_credentials"};
  cert_client.token_endpoint_auth_method = "private_key_jwt";
  cert_client.jwks = {{"keys",
                       {{{"kty", "RSA"},
                         {"kid", "k1"},
                         {"use", "sig"},
                         {"alg", "RS256"},
                         {"n", bn(OSSL_PKEY_PARAM_RSA_N)},
                         {"e", bn(OSSL_PKEY_PARAM_RSA_E)}}}}};
  cert_client.roles = {"Reader"};
  o.clients.push_back(cert_client);
  OidcProvider op(o);

  auto now = static_cast<int64_t>(std::time(nullptr));
  std::string signing_input =
      base64url_encode(nlohmann::json({{"alg", "RS256"}, {"typ", "JWT"}, {"kid", "k1"}}).dump()) + "." +
      base64url_encode(nlohmann::json({{"iss", "cert-daemon"},
                                       {"sub", "cert-daemon"},
                                       {"aud", op.token_endpoint()},
                                       {"jti", random_urlsafe(16)},
                                       {"iat", now},
                                       {"nbf", now},
                                       {"exp", now + 300}})
                           .dump());
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  size_t len = 0;
  ASSERT_EQ(EVP_DigestSignInit(md.get(), nullptr, EVP_sha256(), nullptr, key.get()), 1);
  ASSERT_EQ(
      EVP_DigestSign(md.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(signing_input.data()),
                     signing_input.size()),
      1);
  std::string sig(len, '\0');
  ASSERT_EQ(
      EVP_DigestSign(md.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size()),
      1);
  sig.resize(len);
  std::string assertion = signing_input + "." + base64url_encode(sig);

  TokenResponse t =
      op.token_request({{"grant_type", "client_credentials"},
                        {"client_id", "cert-daemon"},
                        {"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
                        {"client_assertion", assertion},
                        {"scope", "api://vigie-api/.default"}});
  ASSERT_EQ(t.status, 200u) << t.body.dump();
  auto c = jwt_payload(t.body["access_token"].get<std::string>());
  EXPECT_EQ(c["azp"], "cert-daemon");
  EXPECT_EQ(c["azpacr"], "2");  // certificate / signed assertion
  EXPECT_EQ(c["roles"], nlohmann::json::array({"Reader"}));
  // The same assertion again is a replay.
  TokenResponse replay =
      op.token_request({{"grant_type", "client_credentials"},
                        {"client_id", "cert-daemon"},
                        {"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
                        {"client_assertion", assertion},
                        {"scope", "api://vigie-api/.default"}});
  EXPECT_EQ(replay.status, 401u) << replay.body.dump();
}

TEST(OidcFixtureTls, https_issuer_verified_with_the_test_ca) {
  OidcProviderOptions o = standard_tenant("https://127.0.0.1:9/callback");
  o.tls = true;
  OidcProvider op(o);
  EXPECT_TRUE(op.issuer().starts_with("https://127.0.0.1:"));
  ASSERT_FALSE(op.ca_file().empty());
  EXPECT_EQ(op.get_json(op.discovery_url())["issuer"], op.issuer());
  // Without the test CA the certificate is not trusted.
  EXPECT_THROW(fetch({"GET", op.discovery_url()}), std::runtime_error);
  Browser browser(op.ca_file());
  browser.stop_before("https://127.0.0.1:9/callback");
  AuthorizationRequest req;
  req.redirect_uri = "https://127.0.0.1:9/callback";
  req.code_challenge = make_pkce().challenge;
  browser.follow(op.authorization_url(req));
  EXPECT_TRUE(query_param(browser.chain().back().location, "code").has_value())
      << browser.chain().back().location;
  // Over HTTPS the provider's session cookie is SameSite=None; Secure, as on Entra.
  auto session = browser.cookie("_session");
  ASSERT_TRUE(session.has_value());
  EXPECT_TRUE(session->secure);
  EXPECT_EQ(session->same_site, "None");
}

}  // namespace
}  // namespace vigie::testing
