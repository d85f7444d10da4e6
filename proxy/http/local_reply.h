// Every answer Vigie gives itself goes through here: one table maps a Reason to its status, its
// machine-readable code (logs, metrics, rc_details) and its text in English and French. Browsers get
// an HTML page, API clients JSON. Pure functions; any thread.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string_view>

#include "authn/outcome.h"

namespace vigie::http {

enum class Reason {
  BadRequest,           // malformed request line or header
  BadTarget,            // request target is not an origin-form path, or escapes the root
  BadHost,              // Host header missing, repeated or invalid
  UriTooLong,           // request line over limits.request_line_bytes
  HeadersTooLarge,      // header block over limits.header_bytes or header_count
  BadFraming,           // ambiguous body framing: CL+TE, unknown transfer coding, obs-fold, bare CR/LF
  HeaderTimeout,        // request header not complete within timeouts.request_header
  BodyTimeout,          // the client stopped sending its body
  BodyTooLarge,         // body over the route's max_body_bytes
  MethodNotAllowed,     // CONNECT: Vigie is not a forward proxy
  ExpectationFailed,    // an Expect value other than 100-continue
  NoRoute,              // no route matches host, path and method
  WebsocketNotAllowed,  // upgrade requested on a route without websocket: true
  UpstreamOverflow,     // the cluster's connection limit is reached
  UpstreamConnect,      // no upstream endpoint accepted a connection
  UpstreamTimeout,      // the upstream did not answer in time
  UpstreamBadResponse,  // the upstream reset or sent an invalid response
  Unauthenticated,      // no usable credential (API clients)
  LoginRedirect,        // a browser without a session: 302 to the login start
  InvalidToken,         // the bearer token was refused
  InsufficientScope,    // a valid token without the route's roles or scopes
  AmbiguousCredentials, // a session cookie and a bearer token on a bearer-only route
  IdentityUnavailable,  // the identity provider or the session store cannot be reached
  LoginStateInvalid,    // a login callback whose state is missing, forged or too old
  LoginRejected,        // the provider refused the login, or its tokens did not verify
  GroupsOverage,        // too many groups in the token and no Graph lookup
  TenantNotAllowed,     // the user's tenant is not accepted
  BadRedirect,          // an unsafe return URL
  PolicyDenied,         // the caller is known and the route's policy refuses
  JustificationRequired,  // only a break-glass rule would allow: a justification is needed
  AuditUnavailable,     // patient data, and the audit trail cannot record the access (fail closed)
};

struct ReasonInfo {
  int status;
  std::string_view code;
  std::string_view en;
  std::string_view fr;
};

[[nodiscard]] const ReasonInfo& info(Reason r);

struct ClientPrefs {
  bool html = false;    // the client accepts text/html (a browser navigation)
  bool french = false;  // Accept-Language prefers fr over en
};

// Reads Accept and Accept-Language.
[[nodiscard]] ClientPrefs client_prefs(std::string_view accept, std::string_view accept_language);

[[nodiscard]] boost::beast::http::response<boost::beast::http::string_body> render(Reason r, const ClientPrefs& prefs,
                                                                                     std::string_view request_id,
                                                                                     unsigned version, bool keep_alive);

// Maps authentication failures to their reason: the one place that decides 400/401/403/503 for them.
[[nodiscard]] Reason reason_for(authn::Failure f);

}  // namespace vigie::http
