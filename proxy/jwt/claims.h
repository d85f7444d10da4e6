// Registered-claim checks (RFC 7519 §4.1) on a parsed JWS: issuer, audience, time window, typ.
// ClaimRules is compiled from config at load time and shared read-only; check_claims is a pure
// function of its arguments (time is passed in, never read), callable from any thread.
// Run it only after verify_signature: claims of an unverified token are attacker-chosen.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "jwt/error.h"
#include "jwt/jws.h"

namespace vigie::jwt {

struct ClaimRules {
  // iss must be one of these. Empty: the caller checks iss itself (e.g. an Entra multi-tenant
  // "{tenantid}" template); iss must still be present and a string.
  std::vector<std::string> issuers;
  // aud (string or array of strings) must contain one of these. Empty rejects every token: an
  // audience check is never skipped, or a token minted for another service would be accepted.
  std::vector<std::string> audiences;
  // Tolerated clock skew, applied to exp, nbf and iat.
  std::chrono::seconds leeway{60};
  // Required header typ, compared case-insensitively; "application/<typ>" also matches.
  std::optional<std::string> typ;
  bool require_iat = false;
};

// Order: typ, iss, aud, exp, nbf, iat. Non-integer NumericDates are rounded toward rejection.
[[nodiscard]] core::Result<void, Error> check_claims(const Jws& jws, const ClaimRules& rules,
                                                     int64_t now_unix);

}  // namespace vigie::jwt
