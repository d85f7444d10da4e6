// Verification keys (PublicKey, from an issuer's JWKS) and Vigie's own signing keys (PrivateKey:
// X-JWT-Assertion, private_key_jwt client assertions, test tokens). Both are immutable handles
// sharing one EVP_PKEY: copy freely and use from any thread, since OpenSSL 3 allows concurrent
// sign/verify on one EVP_PKEY as long as each operation has its own EVP_MD_CTX, as jws.cc does.
#pragma once

#include <openssl/types.h>

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "jwt/alg.h"
#include "jwt/error.h"

namespace vigie::jwt {

// Only the key types our algorithms need: an EC key is always P-256 (others are rejected).
enum class Kty { Rsa, EcP256 };

class PublicKey {
 public:
  PublicKey(std::shared_ptr<EVP_PKEY> pkey, std::string kid, std::optional<Alg> alg, Kty kty,
            bool had_private_part = false);

  EVP_PKEY* pkey() const { return pkey_.get(); }
  const std::string& kid() const { return kid_; }
  std::optional<Alg> alg() const { return alg_; }
  Kty kty() const { return kty_; }
  // The JWK carried "d": a private key published where a public one was expected. Verification
  // uses only the public half, but the caller should warn: the issuer has leaked its key.
  bool had_private_part() const { return had_private_part_; }

  // The kty suits the algorithm and, when the JWK named an "alg", it is this one: a key published
  // for RS256 is never used to verify PS256, so an attacker cannot pick the padding.
  [[nodiscard]] bool fits(Alg alg) const;

 private:
  std::shared_ptr<EVP_PKEY> pkey_;
  std::string kid_;
  std::optional<Alg> alg_;
  Kty kty_;
  bool had_private_part_;
};

// RSA (n, e; modulus 2048..8192 bits) or EC P-256 (x, y; point on the curve). A "use" other than
// "sig" and an "alg" we do not implement are BadKey.
[[nodiscard]] core::Result<PublicKey, Error> public_key_from_jwk(const nlohmann::json& jwk);

class PrivateKey {
 public:
  // PKCS#8 or traditional PEM; RSA of at least 2048 bits or EC P-256, else BadKey.
  [[nodiscard]] static core::Result<PrivateKey, Error> from_pem(std::string_view pem);
  static PrivateKey generate_rsa(int bits = 2048);
  static PrivateKey generate_p256();

  EVP_PKEY* pkey() const { return pkey_.get(); }
  Kty kty() const { return kty_; }

  // {"kty","n","e"} or {"kty","crv","x","y"}, plus "use":"sig", "kid" and "alg" (RS256 or ES256
  // unless `alg` says otherwise, e.g. PS256).
  nlohmann::json public_jwk(std::string_view kid, std::optional<Alg> alg = std::nullopt) const;
  // SubjectPublicKeyInfo PEM.
  std::string public_pem() const;
  // The verification half, e.g. to verify our own assertions in tests.
  PublicKey public_key(std::string kid, std::optional<Alg> alg = std::nullopt) const;

 private:
  PrivateKey(std::shared_ptr<EVP_PKEY> pkey, Kty kty) : pkey_(std::move(pkey)), kty_(kty) {}
  std::shared_ptr<EVP_PKEY> pkey_;
  Kty kty_;
};

}  // namespace vigie::jwt
