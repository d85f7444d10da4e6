#include "cli/proxy_view.h"

#include <algorithm>

#include "authn/identity.h"
#include "http/authorize.h"
#include "http/path.h"

namespace vigie::cli {
namespace {

authn::Method authn_method(uint8_t bit) {
  switch (bit) {
    case config::kAuthBearer:
      return authn::Method::Bearer;
    case config::kAuthClientCredentials:
      return authn::Method::ClientCredentials;
    default:
      return authn::Method::Session;
  }
}

std::string_view path_error(http::PathError e) {
  switch (e) {
    case http::PathError::NotOriginForm:
      return "the path does not start with '/'";
    case http::PathError::BadEscape:
      return "a bad or NUL percent escape";
    case http::PathError::BadCharacter:
      return "a backslash, '#', space or control character";
    case http::PathError::EscapesRoot:
      return "'..' climbs above '/'";
    case http::PathError::HiddenDotSegment:
      return "a dot segment hidden behind a path parameter";
    case http::PathError::EncodedSlash:
      return "an encoded '/' or '\\' (%2F, %5C)";
  }
  return "refused";
}

}  // namespace

authz::Caller caller_from_claims(const nlohmann::json& claims, uint8_t method,
                                 const std::vector<std::string>& kept) {
  authn::Identity id = authn::identity_from_claims(claims, authn_method(method), kept);
  // Through subject_of, so the caller is what the Authorize stage would hand the policy.
  authz::Subject s = http::subject_of(id);
  authz::Caller c;
  c.method = s.method;
  c.user = id.user();
  c.oid = std::string(s.oid);
  c.tid = std::string(s.tid);
  c.email = std::string(s.email);
  if (s.groups) c.groups = *s.groups;
  if (s.roles) c.roles = *s.roles;
  if (s.claims) c.claims = *s.claims;
  c.scopes = id.scopes;
  return c;
}

core::Result<std::string, std::string> normalised_path(std::string_view target) {
  auto t = http::normalise_target(target);
  if (!t) return core::fail(std::string(path_error(t.error())));
  return std::move(t->path);
}

authz::TestHooks test_hooks() {
  authz::TestHooks h;
  h.caller = caller_from_claims;
  h.normalise = normalised_path;
  return h;
}

std::string_view auth_mode_name(config::AuthMode m) {
  switch (m) {
    case config::AuthMode::Public:
      return "public";
    case config::AuthMode::Session:
      return "session";
    case config::AuthMode::Bearer:
      return "bearer";
    case config::AuthMode::SessionOrBearer:
      return "session_or_bearer";
  }
  return "";
}

std::optional<Refusal> authn_refusal(const config::Route& route, const authz::Caller& caller) {
  using authz::Outcome;
  using config::AuthMode;
  bool session = caller.method == config::kAuthSession;
  if (route.auth == AuthMode::Bearer && session) {
    return Refusal{Outcome::Unauthenticated,
                   "the route takes bearer tokens only: a session is refused (401)"};
  }
  if (route.auth == AuthMode::Session && !session) {
    return Refusal{
        Outcome::Unauthenticated,
        "the route takes sessions only: a bearer token is ignored (401, or the login for a browser)"};
  }
  if (session) return std::nullopt;
  // As authn::Service checks a bearer token against the route: every listed role and scope.
  for (const auto& r : route.bearer.roles) {
    if (!std::binary_search(caller.roles.begin(), caller.roles.end(), r)) {
      return Refusal{Outcome::InsufficientScope, "the route's bearer.roles requires role " + r + " (403)"};
    }
  }
  for (const auto& sc : route.bearer.scopes) {
    if (std::find(caller.scopes.begin(), caller.scopes.end(), sc) == caller.scopes.end()) {
      return Refusal{Outcome::InsufficientScope, "the route's bearer.scopes requires scope " + sc + " (403)"};
    }
  }
  return std::nullopt;
}

}  // namespace vigie::cli
