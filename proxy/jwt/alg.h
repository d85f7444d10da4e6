// The JWS algorithms Vigie accepts. Deliberately a closed set of asymmetric algorithms: "none"
// and the HMAC family are not representable, so no code path can verify an HS256 token with a
// public key used as a shared secret. Plain values, usable from any thread.
#pragma once

#include <optional>
#include <string_view>

namespace vigie::jwt {

enum class Alg { RS256, PS256, ES256 };

// Exact, case-sensitive match of the JWS "alg" value (RFC 7518 names are case-sensitive).
std::optional<Alg> parse_alg(std::string_view text);
std::string_view name(Alg alg);

// RS256 and PS256 need an RSA key, ES256 a P-256 key.
[[nodiscard]] bool is_rsa(Alg alg);

}  // namespace vigie::jwt
