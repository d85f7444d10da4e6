#include "jwt/verify.h"

#include <algorithm>

namespace vigie::jwt {

core::Result<Jws, Error> verify(std::string_view token, const KeySet& keys, const VerifyRules& rules,
                                int64_t now_unix) {
  auto jws = parse(token, rules.max_bytes);
  if (!jws) return jws;
  // Checked before any key lookup: an issuer pinned to ES256 never has an RS256 token verified,
  // even if its JWKS also publishes RSA keys.
  if (!rules.algs.empty() && std::find(rules.algs.begin(), rules.algs.end(), jws->alg) == rules.algs.end()) {
    return core::fail(Error::AlgNotAllowed);
  }
  auto key = keys.select(jws->kid, jws->alg);
  if (!key) return core::fail(key.error());
  if (auto ok = verify_signature(*jws, **key); !ok) return core::fail(ok.error());
  if (auto ok = check_claims(*jws, rules.claims, now_unix); !ok) return core::fail(ok.error());
  return jws;
}

}  // namespace vigie::jwt
