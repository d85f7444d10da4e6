// The whole verification of an incoming token in its one safe order: parse, algorithm allowed
// for this issuer, key selection, signature, then claims. Callers (authn) use this rather than
// chaining the steps themselves, so no path reads claims before the signature is checked.
// VerifyRules is compiled from config and shared read-only; verify() is callable from any thread.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "jwt/alg.h"
#include "jwt/claims.h"
#include "jwt/error.h"
#include "jwt/jws.h"
#include "jwt/keyset.h"

namespace vigie::jwt {

struct VerifyRules {
  // Algorithms this issuer may use; empty allows every algorithm of alg.h.
  std::vector<Alg> algs;
  ClaimRules claims;
  size_t max_bytes = kMaxTokenBytes;
};

// The verified token, or the first reason it was refused.
[[nodiscard]] core::Result<Jws, Error> verify(std::string_view token, const KeySet& keys,
                                              const VerifyRules& rules, int64_t now_unix);

}  // namespace vigie::jwt
