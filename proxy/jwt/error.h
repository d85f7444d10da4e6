// Why a JWT, JWK or JWKS was refused. Each value maps to a stable machine-readable reason via
// code() for logs, metrics and the audit record; authn maps them to 401. Plain values, usable
// from any thread.
#pragma once

#include <string_view>

namespace vigie::jwt {

enum class Error {
  Malformed,        // not three non-empty base64url parts, too long, or bad base64url
  BadHeader,        // header is not a JSON object, or alg is missing / not a string
  BadPayload,       // payload is not a JSON object
  AlgNone,          // alg "none": an unsigned token
  AlgNotAllowed,    // HS*, unknown alg, alg not allowed for the issuer, or key kty/alg mismatch
  ForbiddenHeader,  // jku, x5u, jwk or x5c present: keys never come from the token itself
  UnknownCrit,      // crit present: we implement no JWS extensions
  BadTyp,           // header typ differs from the one the rules require
  UnknownKid,       // no key in the set matches the kid (or, without kid, no unique key)
  BadSignature,     // the signature does not verify
  Expired,          // exp + leeway <= now
  NotYetValid,      // nbf - leeway > now
  IssuedInFuture,   // iat - leeway > now
  MissingClaim,     // exp, iss or aud (or a required iat) missing or of the wrong type
  WrongIssuer,      // iss is not one of the accepted issuers
  WrongAudience,    // no aud value is one of the accepted audiences
  BadKey,           // a JWK that cannot be used for verification
  BadJwks,          // a JWKS document that is not {"keys":[...]}
};

// Stable reason strings ("jwt_expired", "jwks_malformed"...). Never change an existing one:
// dashboards and alerts match on them.
std::string_view code(Error e);

}  // namespace vigie::jwt
