// Who is calling, once authenticated: built from verified token claims (ID token at login, access
// token for bearer callers) or from a loaded session. Users are keyed on oid + tid, never on email
// or preferred_username (both can be changed or reassigned in Entra). Immutable once built; shared
// between the request, the per-worker bearer cache and later stages.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <utility>
#include <vector>

namespace vigie::authn {

enum class Method {
  Session,            // a browser session cookie
  Bearer,             // a user's access token
  ClientCredentials,  // a service principal's token (no user)
};

[[nodiscard]] std::string_view name(Method m);

struct Identity {
  Method method = Method::Session;
  std::string issuer;
  std::string oid;
  std::string tid;
  std::string sub;
  std::string name;
  std::string email;
  std::string preferred_username;
  std::string client_id;  // azp / appid: the application that obtained the token
  std::string token_id;   // jti or Entra's uti; never the token itself
  std::string session_id;
  std::vector<std::string> groups;  // sorted: policies look them up by binary search
  std::vector<std::string> roles;   // sorted
  std::vector<std::string> scopes;
  // Further claims policies test (authorization `claims:` criteria), by name; each as its values.
  std::vector<std::pair<std::string, std::vector<std::string>>> claims;
  int64_t expires = 0;  // unix seconds
  std::string access_token;  // forwarded only where a route asks

  // The stable key of the person or service: "<oid>@<tid>".
  [[nodiscard]] std::string key() const { return oid + "@" + tid; }
  // What X-Forwarded-User carries: preferred_username when present, else the oid.
  [[nodiscard]] const std::string& user() const { return preferred_username.empty() ? oid : preferred_username; }
  [[nodiscard]] bool has_role(std::string_view r) const;
  [[nodiscard]] bool has_scope(std::string_view s) const;
  [[nodiscard]] bool in_group(std::string_view g) const;
};

// Fills an Identity from verified claims (groups, roles, scp split on spaces, azp/appid, jti/uti),
// keeping the claims named in `keep` (those policies test) as lists of strings.
[[nodiscard]] Identity identity_from_claims(const nlohmann::json& claims, Method m,
                                            const std::vector<std::string>& keep = {});

// Entra ID "group overage": more groups than fit in the token, so `groups` is absent and
// _claim_names.groups (or hasgroups) says where to list them. Never read as "no groups".
[[nodiscard]] bool groups_overage(const nlohmann::json& claims);

}  // namespace vigie::authn
