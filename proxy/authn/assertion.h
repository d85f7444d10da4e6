// The identity assertion Vigie signs for upstreams that verify rather than trust a header
// (OpenMRS oauth2login, Grafana auth.jwt): an RS256 JWT in X-JWT-Assertion with the user's claims,
// aud = the route's host, a 5-minute lifetime and a jti; the public key is published at
// /.well-known/vigie/jwks.json. Signing costs ~1 ms of RSA, so each worker reuses an assertion
// for the same identity and host until a minute before it expires.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>

#include "authn/identity.h"
#include "config/identity.h"
#include "core/clock.h"
#include "jwt/key.h"

namespace vigie::authn {

class AssertionSigner {
 public:
  // The configured key (PEM, RSA), or one generated for the life of the process when none is
  // configured (then every replica has its own key: configure one for several replicas). Throws
  // std::runtime_error naming the setting when the configured key is unusable.
  AssertionSigner(const std::optional<config::Secret>& key, const core::Clock& clock);

  [[nodiscard]] std::string sign(const Identity& id, std::string_view audience) const;
  [[nodiscard]] const std::string& jwks() const { return jwks_; }
  [[nodiscard]] const std::string& kid() const { return kid_; }

  static constexpr int64_t kLifetime = 300;

 private:
  std::shared_ptr<const jwt::PrivateKey> key_;
  std::string kid_;
  std::string jwks_;
  const core::Clock& clock_;
};

// Per worker: assertions already signed, by identity and audience. Worker thread only.
class AssertionCache {
 public:
  [[nodiscard]] const std::string& get(const AssertionSigner& signer, const Identity& id, std::string_view audience,
                                       int64_t now_unix);

 private:
  struct Entry {
    std::string token;
    int64_t refresh_at = 0;
    std::string kid;  // the signer's key: a reload with another key signs anew
  };
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace vigie::authn
