#include "jwt/keyset.h"

#include <nlohmann/json.hpp>

namespace vigie::jwt {
namespace {

// An IdP publishes a handful of keys; a huge set only makes every lookup slower.
constexpr size_t kMaxKeys = 100;

}  // namespace

const PublicKey* KeySet::find(std::string_view kid, Alg alg) const {
  auto found = select(kid, alg);
  return found ? *found : nullptr;
}

core::Result<const PublicKey*, Error> KeySet::select(std::string_view kid, Alg alg) const {
  const PublicKey* match = nullptr;
  size_t fitting = 0;
  bool kid_seen = false;
  for (const auto& key : keys_) {
    if (!kid.empty() && key.kid() != kid) continue;
    kid_seen = true;
    if (!key.fits(alg)) continue;
    if (!kid.empty()) return &key;
    match = &key;
    ++fitting;
  }
  if (fitting == 1) return match;
  if (kid.empty() || !kid_seen) return core::fail(Error::UnknownKid);
  return core::fail(Error::AlgNotAllowed);
}

std::vector<std::string> KeySet::kids() const {
  std::vector<std::string> out;
  out.reserve(keys_.size());
  for (const auto& key : keys_) out.push_back(key.kid());
  return out;
}

core::Result<KeySet, Error> parse_jwks(std::string_view json) {
  auto doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return core::fail(Error::BadJwks);
  auto it = doc.find("keys");
  if (it == doc.end() || !it->is_array()) return core::fail(Error::BadJwks);
  std::vector<PublicKey> keys;
  size_t skipped = 0;
  for (const auto& jwk : *it) {
    if (keys.size() >= kMaxKeys) {
      ++skipped;
      continue;
    }
    auto key = public_key_from_jwk(jwk);
    if (key)
      keys.push_back(std::move(*key));
    else
      ++skipped;
  }
  return KeySet(std::move(keys), skipped);
}

}  // namespace vigie::jwt
