#include "config/identity_loader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "config/loader.h"

namespace vigie::config {
namespace {

// A secret file written per test run; never a real secret.
std::string secret_file(const std::string& name, const std::string& content) {
  std::string path = ::testing::TempDir() + "/vigie-" + std::to_string(getpid()) + "-" + name;
  std::ofstream(path) << content;
  return path;
}

std::string base_config() {
  std::string keys = secret_file("keys", "c2VjcmV0LWtleS1ub3QtdXNlZC1pbi1wcm9kdWN0aW9uISE=\n");
  std::string client = secret_file("client", "client-secret\n");
  return R"(listeners: [{name: http, address: 127.0.0.1, port: 0}]
clusters: [{name: app, endpoints: ["http://127.0.0.1:9000"]}]
routes:
  - id: openmrs
    path: {prefix: /openmrs/}
    cluster: app
    auth: session
    policy: authenticated
    identity_headers: {grafana: true, grafana_roles: [{role: Editor, members: [g1]}]}
  - id: api
    path: {prefix: /api/}
    cluster: app
    auth: bearer
    policy: authenticated
    bearer: {audiences: ["api://vigie"], roles: [Metrics.Write]}
identity:
  provider:
    issuer: https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0/
    client_id: cid
    client_secret: {file: )" + client + R"(}
  session:
    keys: {file: )" + keys + R"(}
    idle_timeout: 1h
  bearer:
    - audiences: ["api://vigie"]
)";
}

TEST(IdentityLoader, valid_identity_is_typed_and_secrets_read) {
  auto c = load_string(base_config(), "id.yaml");
  ASSERT_TRUE(c) << c.error()[0].to_string();
  const Identity& id = *(*c)->identity;
  // Kept as written, trailing slash included: tokens carry the issuer verbatim.
  EXPECT_EQ(id.provider.issuer, "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0/");
  EXPECT_EQ(id.provider.discovery_url, id.provider.issuer + ".well-known/openid-configuration");
  EXPECT_EQ(id.provider.client_secret->value, "client-secret");  // trailing newline dropped
  EXPECT_TRUE(id.provider.client_secret->source.starts_with("file "));
  EXPECT_EQ(id.session.idle_timeout, std::chrono::hours(1));
  EXPECT_EQ(id.session.cache, std::chrono::seconds(5));
  EXPECT_EQ(id.login.prefix, "/oauth2");
  const Route& api = (*c)->routes[1];
  EXPECT_EQ(api.auth, AuthMode::Bearer);
  EXPECT_EQ(api.bearer.roles, std::vector<std::string>{"Metrics.Write"});
  EXPECT_TRUE((*c)->routes[0].headers.grafana);
  EXPECT_EQ((*c)->routes[0].headers.grafana_roles[0].role, "Editor");
}

TEST(IdentityLoader, sessions_keep_the_access_token_only_when_a_route_forwards_it) {
  auto plain = load_string(base_config(), "id.yaml");
  ASSERT_TRUE(plain) << plain.error()[0].to_string();
  EXPECT_FALSE((*plain)->identity->keep_access_token);

  std::string text = base_config();
  size_t at = text.find("identity_headers: {grafana: true,");
  text.insert(at + std::string("identity_headers: {").size(), "access_token: true, ");
  auto forwarding = load_string(text, "id.yaml");
  ASSERT_TRUE(forwarding) << forwarding.error()[0].to_string();
  EXPECT_TRUE((*forwarding)->routes[0].headers.access_token);
  EXPECT_TRUE((*forwarding)->identity->keep_access_token);
}

TEST(IdentityLoader, secret_from_env) {
  setenv("VIGIE_TEST_CLIENT_SECRET", "from-env", 1);
  std::string text = base_config();
  size_t at = text.find("client_secret: {file:");
  text.replace(at, text.find('\n', at) - at, "client_secret: {env: VIGIE_TEST_CLIENT_SECRET}");
  auto c = load_string(text, "id.yaml");
  ASSERT_TRUE(c) << c.error()[0].to_string();
  EXPECT_EQ((*c)->identity->provider.client_secret->value, "from-env");
  EXPECT_EQ((*c)->identity->provider.client_secret->source, "env VIGIE_TEST_CLIENT_SECRET");
}

struct BadCase {
  const char* name;
  std::string from;
  std::string to;
  std::string key;
  std::string message_part;
};

class IdentityErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(IdentityErrors, names_key_and_reason) {
  const BadCase& b = GetParam();
  std::string text = base_config();
  size_t at = text.find(b.from);
  ASSERT_NE(at, std::string::npos) << b.from;
  text.replace(at, b.from.size(), b.to);
  auto c = load_string(text, "id.yaml");
  ASSERT_FALSE(c);
  std::string all;
  bool found = false;
  for (const auto& e : c.error()) {
    all += e.to_string() + "\n";
    if (e.key == b.key && e.message.find(b.message_part) != std::string::npos && e.line > 0) found = true;
  }
  EXPECT_TRUE(found) << all;
  // A secret value never appears in an error message.
  EXPECT_EQ(all.find("client-secret"), std::string::npos) << all;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, IdentityErrors,
    ::testing::Values(
        BadCase{"literal_secret_refused", "client_secret: {file:", "client_secret: client-secret\n    x: {file:",
                "identity.provider.client_secret", "never written in the config"},
        BadCase{"unset_env", "client_secret: {file:", "client_secret: {env: VIGIE_NOT_SET_ANYWHERE}\n    x: {file:",
                "identity.provider.client_secret.env", "is not set"},
        BadCase{"missing_secret_file", "keys: {file: ", "keys: {file: /nonexistent/keys}\n    y: {file: ",
                "identity.session.keys.file", "cannot read /nonexistent/keys"},
        BadCase{"http_issuer_refused", "https://login.microsoftonline.com", "http://login.microsoftonline.com",
                "identity.provider.issuer", "not an https:// URL"},
        BadCase{"hmac_alg_refused", "    client_id: cid", "    client_id: cid\n    algorithms: [HS256]",
                "identity.provider.algorithms", "'HS256' is not supported"},
        BadCase{"multi_tenant_needs_allowlist", "11111111-2222-3333-4444-555555555555", "{tenantid}",
                "identity.provider.allowed_tenants", "is required with a multi-tenant issuer"},
        BadCase{"unknown_auth_mode", "auth: session", "auth: sso", "routes[0].auth", "unknown mode 'sso'"},
        BadCase{"bearer_audiences_required", "audiences: [\"api://vigie\"]\n", "algorithms: [RS256]\n",
                "identity.bearer[0].audiences", "is required"},
        BadCase{"unknown_client_auth", "    client_id: cid", "    client_id: cid\n    client_auth: password",
                "identity.provider.client_auth", "unknown method"},
        BadCase{"prefixed_cookie_name", "    idle_timeout: 1h", "    idle_timeout: 1h\n    cookie_name: __Host-x",
                "identity.session.cookie_name", "without the __Host-"},
        BadCase{"idle_longer_than_lifetime", "idle_timeout: 1h", "idle_timeout: 1h\n    lifetime: 30m",
                "identity.session.idle_timeout", "longer than lifetime"},
        BadCase{"session_cache_over_a_minute", "idle_timeout: 1h", "idle_timeout: 1h\n    cache: 2m",
                "identity.session.cache", "longer than 1m"},
        BadCase{"bad_grafana_role", "role: Editor", "role: Owner",
                "routes[0].identity_headers.grafana_roles[0].role", "Viewer, Editor"},
        BadCase{"unknown_identity_key", "  session:\n", "  sesion:\n", "identity.sesion", "unknown key"}),
    [](const ::testing::TestParamInfo<BadCase>& i) { return std::string(i.param.name); });

TEST(IdentityLoader, non_public_route_needs_identity_section) {
  std::string text = base_config();
  text = text.substr(0, text.find("identity:\n"));
  auto c = load_string(text, "id.yaml");
  ASSERT_FALSE(c);
  bool found = false;
  for (const auto& e : c.error()) found = found || (e.key == "routes[0].auth" && e.line == 4);
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace vigie::config
