#include "authn/assertion.h"

#include <stdexcept>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "jwt/jws.h"

namespace vigie::authn {
namespace {

std::shared_ptr<const jwt::PrivateKey> load_key(const std::optional<config::Secret>& secret) {
  if (!secret) {
    // Leaked on purpose: destroyed at exit it would free an EVP_PKEY after OpenSSL's own atexit
    // clean-up has run.
    static const auto* generated =
        new std::shared_ptr<const jwt::PrivateKey>(std::make_shared<const jwt::PrivateKey>(jwt::PrivateKey::generate_rsa(2048)));
    return *generated;
  }
  auto key = jwt::PrivateKey::from_pem(secret->value);
  if (!key || key->kty() != jwt::Kty::Rsa) {
    throw std::runtime_error("identity.assertion_key (" + secret->source + "): not an RSA PEM private key");
  }
  return std::make_shared<const jwt::PrivateKey>(std::move(*key));
}

constexpr size_t kMaxEntries = 10000;

}  // namespace

AssertionSigner::AssertionSigner(const std::optional<config::Secret>& key, const core::Clock& clock)
    : key_(load_key(key)), clock_(clock) {
  // The kid names the key, so upstreams pick the right one across a key change.
  kid_ = crypto::base64url_encode(crypto::sha256(key_->public_pem())).substr(0, 16);
  jwks_ = nlohmann::json{{"keys", {key_->public_jwk(kid_, jwt::Alg::RS256)}}}.dump();
}

std::string AssertionSigner::sign(const Identity& id, std::string_view audience) const {
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(clock_.wall().time_since_epoch()).count();
  nlohmann::json claims = {{"iss", "vigie"},
                           {"aud", audience},
                           {"sub", id.key()},
                           {"oid", id.oid},
                           {"tid", id.tid},
                           {"iat", now},
                           {"nbf", now},
                           {"exp", now + kLifetime},
                           {"jti", crypto::random_token(16)},
                           {"auth_method", name(id.method)},
                           {"groups", id.groups},
                           {"roles", id.roles}};
  if (!id.preferred_username.empty()) claims["preferred_username"] = id.preferred_username;
  if (!id.email.empty()) claims["email"] = id.email;
  if (!id.name.empty()) claims["name"] = id.name;
  return jwt::sign(*key_, jwt::Alg::RS256, {{"kid", kid_}}, claims);
}

const std::string& AssertionCache::get(const AssertionSigner& signer, const Identity& id, std::string_view audience,
                                       int64_t now_unix) {
  std::string key = id.key();
  key += '|';
  key += id.session_id.empty() ? id.token_id : id.session_id;
  key += '|';
  key += audience;
  auto it = entries_.find(key);
  if (it != entries_.end() && it->second.kid == signer.kid() && now_unix < it->second.refresh_at) return it->second.token;
  if (entries_.size() >= kMaxEntries) {
    std::erase_if(entries_, [&](const auto& kv) { return now_unix >= kv.second.refresh_at; });
    if (entries_.size() >= kMaxEntries) entries_.clear();
  }
  Entry& e = entries_[key];
  e = {signer.sign(id, audience), now_unix + AssertionSigner::kLifetime - 60, signer.kid()};
  return e.token;
}

}  // namespace vigie::authn
