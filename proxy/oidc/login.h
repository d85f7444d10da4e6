// The browser side of the authorization-code flow: the per-login state (state, nonce, PKCE
// verifier, where to return), sealed into a short-lived cookie named after the state so several tabs
// can log in at once; the authorize URL; and the return-URL check that keeps Vigie from being an
// open redirector. Pure functions; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "oidc/metadata.h"
#include "session/key_ring.h"

namespace vigie::oidc {

struct LoginState {
  std::string state;     // 32 random bytes, base64url: binds the callback to this browser
  std::string nonce;     // 32 random bytes: binds the ID token to this login
  std::string verifier;  // PKCE code verifier, 32 random bytes (43 chars)
  std::string return_to;
  int64_t created = 0;   // unix seconds
};

[[nodiscard]] LoginState new_login(std::string return_to, int64_t now_unix);

// base64url(SHA-256(verifier)), the S256 challenge.
[[nodiscard]] std::string pkce_challenge(std::string_view verifier);

// The cookie that carries one login's state: base name + "_login_" + the first 16 chars of state.
[[nodiscard]] std::string login_cookie_name(std::string_view base, std::string_view state);

[[nodiscard]] std::string seal_login(const session::KeyRing& ring, const LoginState& s);

enum class LoginError {
  Missing,      // no state cookie for this state: another browser, or the cookie expired
  Invalid,      // the cookie does not open or parse
  StateMismatch,  // the sealed state differs from the callback's (a swapped cookie)
  Expired,      // older than login_timeout
};
[[nodiscard]] core::Result<LoginState, LoginError> open_login(const session::KeyRing& ring, std::string_view sealed,
                                                              std::string_view state, int64_t now_unix,
                                                              int64_t max_age_s);

struct AuthorizeParams {
  std::string client_id;
  std::string redirect_uri;
  std::vector<std::string> scopes;
  std::string login_hint;
  std::string domain_hint;
};
[[nodiscard]] std::string authorize_url(const Metadata& meta, const AuthorizeParams& p, const LoginState& s);

// The return URL, when it is safe: a relative path ("/x", never "//host" or "/\host"), or an
// absolute URL to the request's own host or to an allowed host ("host" or "*.suffix"). Control
// characters, backslashes and encoded variants of those tricks are refused.
[[nodiscard]] std::optional<std::string> safe_return_to(std::string_view rd, std::string_view request_host,
                                                        const std::vector<std::string>& allowed_hosts);

}  // namespace vigie::oidc
