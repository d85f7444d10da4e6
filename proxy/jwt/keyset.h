// An issuer's verification keys, parsed from its JWKS document. Built by the OIDC discovery/JWKS
// refresher, then published as shared_ptr<const KeySet> and read concurrently by workers: every
// member function is const and the set never changes after parse_jwks.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "jwt/alg.h"
#include "jwt/error.h"
#include "jwt/key.h"

namespace vigie::jwt {

class KeySet {
 public:
  KeySet() = default;
  explicit KeySet(std::vector<PublicKey> keys, size_t skipped = 0)
      : keys_(std::move(keys)), skipped_(skipped) {}

  // The key for a token's kid that fits `alg` (see PublicKey::fits). A token without kid (empty
  // string) gets the key only when exactly one key in the set fits: with two candidates we refuse
  // rather than try each, so the outcome never depends on key order. nullptr when none.
  const PublicKey* find(std::string_view kid, Alg alg) const;

  // As find(), with the reason: UnknownKid when no key has this kid (or no unique key for a token
  // without kid), AlgNotAllowed when keys with this kid exist but none fits `alg`.
  [[nodiscard]] core::Result<const PublicKey*, Error> select(std::string_view kid, Alg alg) const;

  size_t size() const { return keys_.size(); }
  std::vector<std::string> kids() const;
  const std::vector<PublicKey>& keys() const { return keys_; }
  // JWKS entries ignored by parse_jwks (unsupported kty or alg, use=enc, weak or invalid key).
  size_t skipped() const { return skipped_; }

 private:
  std::vector<PublicKey> keys_;
  size_t skipped_ = 0;
};

// BadJwks unless the document is {"keys":[...]}. Unusable entries are skipped and counted, not
// fatal: one IdP adding an encryption key must not stop us from verifying its signatures. The
// result may be empty; the caller decides whether to keep its previous set.
[[nodiscard]] core::Result<KeySet, Error> parse_jwks(std::string_view json);

}  // namespace vigie::jwt
