// Runs a real OpenID provider shaped like a Microsoft Entra ID v2 tenant (tests/support/oidc/
// entra_provider.mjs on panva's oidc-provider, with a Microsoft Graph fake) as a child process of
// one test: writes its config to a private temp dir, starts `node`, blocks until the ready line
// and talks to its /test/ control endpoints. Logins need no UI: they complete as the user chosen
// by next_login(). Closing node's stdin (the destructor, or a crashed test) stops it. Test thread
// only.
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace vigie::testing {

struct OidcClient {
  std::string client_id;
  std::string client_secret;  // empty for public clients and private_key_jwt
  std::vector<std::string> redirect_uris;
  std::vector<std::string> post_logout_redirect_uris;
  std::string backchannel_logout_uri;  // empty: none (logout tokens carry sid when set)
  std::vector<std::string> grant_types = {"authorization_code", "refresh_token"};
  std::string token_endpoint_auth_method =
      "client_secret_basic";       // or client_secret_post, private_key_jwt, none
  nlohmann::json jwks;             // public keys for private_key_jwt ({"keys":[…]}); null otherwise
  std::vector<std::string> roles;  // app roles granted to this client: `roles` of client-credentials tokens
  std::string oid;                 // service principal object id; empty = random
};

struct OidcUser {
  std::string username;  // the name next_login() takes
  std::string oid;       // empty = random GUID
  std::string name;
  std::string email;
  std::string preferred_username;
  std::vector<std::string> groups;  // group object ids
  std::vector<std::string> roles;
  bool overage = false;  // force the overage claim; also automatic beyond 200 groups
};

// Token lifetimes in seconds.
struct OidcTtl {
  int id_token = 3600;
  int access_token = 3600;
  int refresh_token = 86400;
};

struct OidcProviderOptions {
  std::string tenant = "3f0b5c1e-8d2a-4c7b-9e61-2a4d8f0b7c35";
  bool tls = false;  // serve HTTPS with a fresh test PKI (ca_file() verifies it)
  std::vector<OidcClient> clients;
  std::vector<OidcUser> users;  // the first one logs in until next_login()
  OidcTtl ttl;
  int graph_page_size = 100;
  bool pkce_required = true;  // S256 only, for every authorization request
  // API app ID URI → its application id, the `aud` of v2 access tokens for it (default: the URI).
  std::vector<std::pair<std::string, std::string>> api_app_ids;
};

// A deterministic group object id: test_group_id(7) == "6b1e0000-0000-4000-8000-000000000007".
std::string test_group_id(int i);
// A tenant for most tests: users alice (groups 1-3, role Vigie.Admin), bob (group 4, no role) and
// "overage" (250 groups → overage claim); a confidential web client `vigie` (secret "vigie-secret",
// client_secret_basic, the given redirect and post-logout URIs) and a daemon client `daemon`
// (secret "daemon-secret", client_secret_post, client_credentials, role Vigie.Api.Call).
OidcProviderOptions standard_tenant(const std::string& redirect_uri, const std::string& post_logout_uri = "");

// An authorization request as a relying party sends it (response_type=code, S256 PKCE).
struct AuthorizationRequest {
  std::string client_id = "vigie";
  std::string redirect_uri;
  std::string scope = "openid profile email offline_access";
  std::string state;
  std::string nonce;
  std::string code_challenge;                              // empty: no PKCE parameters
  std::vector<std::pair<std::string, std::string>> extra;  // prompt, login_hint, response_mode…
};

struct TokenResponse {
  unsigned status = 0;
  nlohmann::json body;  // the JSON answer (tokens or {"error":…})
};

class OidcProvider {
 public:
  explicit OidcProvider(const OidcProviderOptions& options);
  // A raw entra_provider.mjs config; "tls": true asks for a fresh test PKI.
  explicit OidcProvider(nlohmann::json config);
  ~OidcProvider();
  OidcProvider(const OidcProvider&) = delete;
  OidcProvider& operator=(const OidcProvider&) = delete;

  [[nodiscard]] const std::string& issuer() const { return issuer_; }  // <base>/<tenant>/v2.0
  [[nodiscard]] uint16_t port() const { return port_; }
  [[nodiscard]] const std::string& base_url() const { return base_url_; }  // http(s)://127.0.0.1:PORT
  [[nodiscard]] const std::string& tenant() const { return tenant_; }
  [[nodiscard]] const std::string& ca_file() const { return ca_file_; }  // empty without TLS
  [[nodiscard]] pid_t pid() const { return pid_; }
  [[nodiscard]] const std::string& dir() const { return dir_; }

  // Endpoints, at Entra's paths.
  [[nodiscard]] std::string discovery_url() const { return issuer_ + "/.well-known/openid-configuration"; }
  [[nodiscard]] std::string authorization_endpoint() const {
    return base_url_ + "/" + tenant_ + "/oauth2/v2.0/authorize";
  }
  [[nodiscard]] std::string token_endpoint() const {
    return base_url_ + "/" + tenant_ + "/oauth2/v2.0/token";
  }
  [[nodiscard]] std::string jwks_uri() const { return base_url_ + "/" + tenant_ + "/discovery/v2.0/keys"; }
  [[nodiscard]] std::string end_session_endpoint() const {
    return base_url_ + "/" + tenant_ + "/oauth2/v2.0/logout";
  }
  [[nodiscard]] std::string graph_url() const { return base_url_ + "/graph/v1.0"; }

  [[nodiscard]] std::string authorization_url(const AuthorizationRequest& request) const;

  // Test controls.
  void next_login(const std::string& username) const;
  // Adds a signing key that signs from now on; drop_old removes the others from the JWKS. Its kid.
  std::string rotate_keys(bool drop_old = false) const;
  // Counters: requests by route, token_requests/token_errors by grant type, refresh_token_uses,
  // refresh_token_reuse, logins, logouts, graph_requests, plus kids and ttl.
  [[nodiscard]] nlohmann::json state() const;
  void reset_counters() const;
  void set_ttl(const OidcTtl& ttl) const;

  // Requests against the real endpoints.
  [[nodiscard]] nlohmann::json get_json(const std::string& url) const;
  // POST form to the token endpoint; basic = {client_id, secret} for client_secret_basic.
  [[nodiscard]] TokenResponse token_request(
      const std::vector<std::pair<std::string, std::string>>& form,
      const std::optional<std::pair<std::string, std::string>>& basic = {}) const;
  // client_credentials with client_secret_post; throws unless the provider issues a token.
  [[nodiscard]] std::string client_credentials_token(const std::string& client_id, const std::string& secret,
                                                     const std::string& scope) const;

  [[nodiscard]] std::string stderr_text() const;

 private:
  void start(nlohmann::json config);
  nlohmann::json control(const std::string& method, const std::string& path,
                         const nlohmann::json& body) const;

  std::string dir_;
  std::string tenant_;
  std::string issuer_;
  std::string base_url_;
  std::string ca_file_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
  int pidfd_ = -1;
  int stdin_fd_ = -1;
};

// The first executable called `name` on PATH, or "" when there is none.
std::string find_on_path(const std::string& name);

// PKCE (RFC 7636) S256 pair.
struct Pkce {
  std::string verifier;
  std::string challenge;
};
Pkce make_pkce();
std::string random_urlsafe(size_t bytes);
std::string base64url_encode(std::string_view s);
std::string base64url_decode(std::string_view s);
// The decoded header and payload of a compact JWS, without verifying it.
nlohmann::json jwt_header(std::string_view jwt);
nlohmann::json jwt_payload(std::string_view jwt);

}  // namespace vigie::testing
