// What authentication answers the HTTP layer: an identity, a refusal (a Failure the HTTP layer maps
// to its status and page in one table, plus headers such as WWW-Authenticate or Location), or, for
// Vigie's own endpoints, a complete reply. Plain values.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "authn/identity.h"

namespace vigie::authn {

using Headers = std::vector<std::pair<std::string, std::string>>;

enum class Failure {
  Unauthenticated,       // no usable credential: 401 for APIs, a login redirect for browsers
  LoginRedirect,         // a browser navigation without a session: 302 to the login start
  InvalidToken,          // the bearer token was refused: 401 with error="invalid_token"
  InsufficientScope,     // a valid token without the route's roles or scopes: 403
  AmbiguousCredentials,  // a session cookie and a bearer token on a bearer-only route: 400
  ProviderUnavailable,   // the identity provider cannot be reached: 503
  LoginStateInvalid,     // a callback whose state cookie is missing, forged, swapped or too old: 400
  LoginRejected,         // the provider refused the login, or its tokens did not verify: 401
  GroupsOverage,         // too many groups for the token and no Graph lookup configured or possible: 403
  TenantNotAllowed,      // a tenant outside allowed_tenants: 403
  BadRedirect,           // an unsafe return URL: 400
  NotFound,              // an unknown path under the login prefix: 404
  BadOriginalRequest,    // forward-auth: the described request does not parse or normalise: 400
  BadLogoutToken,        // back-channel logout: the logout_token is missing, invalid or replayed: 400
  PolicyDenied,          // forward-auth: the caller is known and the described route's policy refuses: 403
  AuditUnavailable,      // forward-auth: the described request is patient data and its record cannot be written: 503
};

struct Refusal {
  Failure failure = Failure::Unauthenticated;
  std::string_view detail;  // stable code for logs and metrics (jwt_expired, session_idle, ...)
  Headers headers;
};

struct Reply {
  int status = 200;
  std::string content_type;
  std::string body;
  Headers headers;
  std::shared_ptr<const Identity> identity;  // forward-auth: who was authenticated, for authorization
};

// The result of authenticating a request for a route.
struct Authenticated {
  std::shared_ptr<const Identity> identity;  // null on refusal, and on public routes
  Headers response_headers;                  // Set-Cookie of a renewed session, for the response
  std::optional<Refusal> refusal;
};

using EndpointAnswer = std::variant<Reply, Refusal>;

}  // namespace vigie::authn
