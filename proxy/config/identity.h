// The identity part of the configuration: the OpenID provider (Entra ID), the browser login, the
// session store, the bearer-token issuers and the forward-auth endpoint. Secrets are resolved at
// load time from a file or an environment variable (never from the config file itself) and live
// only in Secret::value. Built by config::load(), read-only afterwards, shared by every worker.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vigie::config {

// A secret and where it came from ("file /run/secrets/x" or "env NAME"); only `source` may be
// logged. Re-read at every load, so a rotated secret file takes effect on reload.
struct Secret {
  std::string source;
  std::string value;
};

enum class ClientAuth { SecretBasic, SecretPost, PrivateKeyJwt, WorkloadIdentity };
enum class GroupsOverage { Fail, Graph };

struct Provider {
  std::string issuer;  // may hold "{tenantid}" for multi-tenant Entra issuers
  std::string discovery_url;  // issuer + "/.well-known/openid-configuration"
  std::string client_id;
  ClientAuth client_auth = ClientAuth::SecretBasic;
  std::optional<Secret> client_secret;        // SecretBasic, SecretPost
  std::optional<Secret> private_key;          // PrivateKeyJwt: PEM
  std::string certificate_file;               // PrivateKeyJwt: for the x5t#S256 header Entra wants
  std::string federated_token_file;           // WorkloadIdentity: re-read at each use (it rotates)
  std::vector<std::string> scopes{"openid", "profile", "email", "offline_access"};
  std::vector<std::string> allowed_tenants;   // required when the issuer has {tenantid}
  bool accept_v1_tokens = false;              // also accept https://sts.windows.net/{tid}/ access tokens
  std::vector<std::string> algorithms{"RS256"};
  std::string ca_file;  // empty: the system trust store
  std::chrono::milliseconds leeway{60000};
  std::chrono::milliseconds timeout{5000};
  std::chrono::milliseconds jwks_refresh{3600000};
  GroupsOverage groups_overage = GroupsOverage::Fail;
  std::string graph_url = "https://graph.microsoft.com";
};

struct Login {
  std::string prefix = "/oauth2";  // start, callback, sign_out, userinfo, auth live under it
  std::string redirect_url;        // empty: <scheme>://<host><prefix>/callback of the request
  std::vector<std::string> allowed_redirect_hosts;  // "host" or "*.suffix"; relative paths always allowed
  std::chrono::milliseconds login_timeout{600000};  // lifetime of the per-login state cookie
  bool provider_sign_out = true;   // continue to end_session_endpoint on sign out
  std::string post_logout_redirect_url;
};

enum class SessionStore { Cookie, Redis };

struct Redis {
  std::string host = "127.0.0.1";
  uint16_t port = 6379;
  std::optional<Secret> password;
  uint32_t db = 0;
  std::string key_prefix = "vigie:session:";
  std::chrono::milliseconds timeout{1000};
};

struct Session {
  SessionStore store = SessionStore::Cookie;
  std::string cookie_name = "vigie";  // sent as __Host-vigie when secure and host-only
  std::string cookie_domain;          // empty: host-only cookie
  bool cookie_secure = true;
  std::optional<Secret> keys;         // key ring: one base64 32-byte key per line, newest first
  std::chrono::milliseconds idle_timeout{8 * 3600 * 1000};
  std::chrono::milliseconds lifetime{12 * 3600 * 1000};
  std::chrono::milliseconds refresh_before{300000};  // renew tokens this long before they expire
  // How long a worker may serve a session it opened without opening it again (0: never).
  std::chrono::milliseconds cache{5000};
  Redis redis;
};

struct BearerIssuer {
  std::string issuer;  // "" = the provider's issuer (and its JWKS from discovery)
  std::string jwks_url;  // "" = from the issuer's discovery document
  std::vector<std::string> audiences;
  std::vector<std::string> algorithms{"RS256"};
};

struct ForwardAuth {
  unsigned success_status = 200;  // Envoy's ext_authz accepts only 200
};

struct Identity {
  Provider provider;
  Login login;
  Session session;
  std::vector<BearerIssuer> bearer_issuers;
  ForwardAuth forward_auth;
  std::optional<Secret> assertion_key;  // PEM RSA key for X-JWT-Assertion; none: generated per process
  std::vector<std::string> policy_claims;  // claims policies test: kept in sessions and identities (set by load)
  bool keep_access_token = false;  // a route forwards it (identity_headers.access_token): sessions keep it (set by load)
};

// Per route: how callers authenticate and what the upstream learns about them.
enum class AuthMode {
  Public,          // no identity needed
  Session,         // browser session; unauthenticated browsers are sent to the login
  Bearer,          // Authorization: Bearer <JWT> only; a session cookie alongside is refused
  SessionOrBearer  // either
};

struct RouteBearer {
  std::vector<std::string> audiences;  // overrides the issuer's audiences for this route
  std::vector<std::string> roles;      // all required (app roles of client-credential tokens)
  std::vector<std::string> scopes;     // all required (scp of delegated tokens)
};

struct GrafanaRole {
  std::string role;                     // Viewer, Editor, Admin, GrafanaAdmin
  std::vector<std::string> members;     // group object ids or app roles
};

struct IdentityHeaders {
  bool user = true;          // X-Forwarded-User/-Email/-Groups/-Preferred-Username
  bool grafana = false;      // X-WEBAUTH-USER/-EMAIL/-NAME/-ROLE
  bool access_token = false; // X-Forwarded-Access-Token
  bool assertion = false;    // X-JWT-Assertion signed by Vigie
  std::vector<GrafanaRole> grafana_roles;  // first match wins; none: Viewer
};

}  // namespace vigie::config
