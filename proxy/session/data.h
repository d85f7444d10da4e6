// What a session remembers about a signed-in user: who they are (keyed on oid + tid, never on email),
// their groups and roles, the provider's tokens (to refresh them, to sign out at the provider, to
// forward where a route asks) and its clock (created, last seen). Serialised as compact JSON inside
// the sealed cookie or the Redis record. Plain value type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace vigie::session {

struct SessionData {
  std::string id;  // random; names the session for revocation and the audit trail
  std::string issuer;
  std::string oid;
  std::string tid;
  std::string sub;
  std::string name;
  std::string email;
  std::string preferred_username;
  std::vector<std::string> groups;
  std::vector<std::string> roles;
  std::string sid;  // the provider's session id (back-channel logout)
  // Further claims of the ID token that policies test (authorization `claims:` criteria).
  std::vector<std::pair<std::string, std::vector<std::string>>> claims;
  int64_t created = 0;         // unix seconds
  int64_t last_seen = 0;       // unix seconds; the cookie is re-issued as it advances (idle timeout)
  int64_t tokens_expire = 0;   // unix seconds; when the access token expires
  std::string id_token;
  std::string access_token;  // only when a route forwards it (config::Identity::keep_access_token)
  std::string refresh_token;
};

enum class DataError {
  Malformed,  // not the JSON object to_json writes, or a field of the wrong type
};

// Whether two versions of a session hold the same provider tokens: a refresh changes at least the
// expiry (and the access token, where the session keeps one; the refresh token, where it rotates).
[[nodiscard]] bool same_tokens(const SessionData& a, const SessionData& b);

[[nodiscard]] std::string to_json(const SessionData& s);
[[nodiscard]] core::Result<SessionData, DataError> from_json(std::string_view text);

}  // namespace vigie::session
