// JWS compact serialization: parse() screens an untrusted token (structure, header policy),
// verify_signature() checks it against one key, sign() mints Vigie's own tokens. Stateless free
// functions, callable from any thread; a Jws is a plain value owned by the request that parsed it.
// Claims are checked separately (claims.h), after the signature.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/result.h"
#include "jwt/alg.h"
#include "jwt/error.h"
#include "jwt/key.h"

namespace vigie::jwt {

struct Jws {
  nlohmann::json header;      // always an object
  nlohmann::json payload;     // always an object
  std::string signing_input;  // "<b64 header>.<b64 payload>", exactly as received
  std::string signature;      // raw bytes (for ES256: R || S)
  Alg alg = Alg::RS256;
  std::string kid;  // empty when the header has none
  std::string typ;  // empty when the header has none
};

inline constexpr size_t kMaxTokenBytes = 16384;

// Checks, in order: size, three parts, base64url of each, header object, alg, forbidden headers,
// crit, payload object. Does not verify the signature.
[[nodiscard]] core::Result<Jws, Error> parse(std::string_view token, size_t max_bytes = kMaxTokenBytes);

// AlgNotAllowed when the key does not fit jws.alg; BadSignature otherwise on any failure.
[[nodiscard]] core::Result<void, Error> verify_signature(const Jws& jws, const PublicKey& key);

// header = {"alg": <alg>, "typ": "JWT"} updated with header_extra (e.g. kid); "alg" in
// header_extra is ignored. The key must fit alg (RSA for RS256/PS256, P-256 for ES256).
std::string sign(const PrivateKey& key, Alg alg, const nlohmann::json& header_extra,
                 const nlohmann::json& payload);

}  // namespace vigie::jwt
