#include "jwt/key.h"

#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <nlohmann/json.hpp>

#include "core/assert.h"
#include "crypto/encoding.h"
#include "jwt/ossl.h"

namespace vigie::jwt {
namespace {

using nlohmann::json;

// Below 2048 bits RSA is factorable by a motivated attacker (NIST SP 800-131A); above 8192 a
// verification costs enough CPU to become a lever for denial of service.
constexpr int kMinRsaBits = 2048;
constexpr int kMaxRsaBits = 8192;
constexpr size_t kP256CoordBytes = 32;

// A member that must be a base64url string; absent or mistyped yields nullopt.
std::optional<std::string> b64_member(const json& jwk, const char* name) {
  auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string()) return std::nullopt;
  auto bytes = crypto::base64url_decode(it->get_ref<const std::string&>());
  if (!bytes) return std::nullopt;
  return std::move(*bytes);
}

core::Result<ossl::Pkey, Error> from_params(const char* type, OSSL_PARAM_BLD* bld) {
  ossl::Params params(OSSL_PARAM_BLD_to_param(bld));
  ossl::PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return core::fail(ossl::cleared(Error::BadKey));
  }
  return ossl::Pkey(raw);
}

core::Result<ossl::Pkey, Error> rsa_from_jwk(const json& jwk) {
  auto n = b64_member(jwk, "n");
  auto e = b64_member(jwk, "e");
  if (!n || !e || n->empty() || e->empty() || e->size() > 8) return core::fail(Error::BadKey);
  ossl::Bn bn_n(BN_bin2bn(ossl::u8(*n), static_cast<int>(n->size()), nullptr));
  ossl::Bn bn_e(BN_bin2bn(ossl::u8(*e), static_cast<int>(e->size()), nullptr));
  if (!bn_n || !bn_e) return core::fail(ossl::cleared(Error::BadKey));
  int bits = BN_num_bits(bn_n.get());
  // An even modulus or exponent, or e = 1, makes "verification" trivially forgeable.
  if (bits < kMinRsaBits || bits > kMaxRsaBits || !BN_is_odd(bn_n.get()) || !BN_is_odd(bn_e.get()) ||
      BN_is_one(bn_e.get())) {
    return core::fail(Error::BadKey);
  }
  ossl::ParamBld bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return core::fail(ossl::cleared(Error::BadKey));
  }
  return from_params("RSA", bld.get());
}

core::Result<ossl::Pkey, Error> ec_from_jwk(const json& jwk) {
  auto crv = jwk.find("crv");
  if (crv == jwk.end() || !crv->is_string() || *crv != "P-256") return core::fail(Error::BadKey);
  auto x = b64_member(jwk, "x");
  auto y = b64_member(jwk, "y");
  if (!x || !y || x->size() != kP256CoordBytes || y->size() != kP256CoordBytes) {
    return core::fail(Error::BadKey);
  }
  std::string point = '\x04' + *x + *y;  // SEC1 uncompressed form
  ossl::ParamBld bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1) {
    return core::fail(ossl::cleared(Error::BadKey));
  }
  auto pkey = from_params("EC", bld.get());
  if (!pkey) return pkey;
  // An off-curve point invites invalid-curve attacks. OpenSSL 3.0's fromdata already refuses
  // one; the explicit check keeps the guarantee whatever the provider does (load time only).
  ossl::PkeyCtx check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey->get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return core::fail(ossl::cleared(Error::BadKey));
  return pkey;
}

// "use" and "alg" narrow what a key may do; honour them rather than guess.
core::Result<std::optional<Alg>, Error> jwk_alg(const json& jwk) {
  if (auto use = jwk.find("use"); use != jwk.end() && (!use->is_string() || *use != "sig")) {
    return core::fail(Error::BadKey);
  }
  auto it = jwk.find("alg");
  if (it == jwk.end()) return std::optional<Alg>{};
  if (!it->is_string()) return core::fail(Error::BadKey);
  auto alg = parse_alg(it->get_ref<const std::string&>());
  if (!alg) return core::fail(Error::BadKey);
  return alg;
}

// Without a callback OpenSSL prompts on the terminal for an encrypted PEM, blocking the process;
// refusing the passphrase turns an encrypted key into a plain BadKey instead.
int no_passphrase(char*, int, int, void*) {
  return -1;
}

}  // namespace

PublicKey::PublicKey(std::shared_ptr<EVP_PKEY> pkey, std::string kid, std::optional<Alg> alg, Kty kty,
                     bool had_private_part)
    : pkey_(std::move(pkey)),
      kid_(std::move(kid)),
      alg_(alg),
      kty_(kty),
      had_private_part_(had_private_part) {}

bool PublicKey::fits(Alg alg) const {
  if (alg_ && *alg_ != alg) return false;
  return is_rsa(alg) ? kty_ == Kty::Rsa : kty_ == Kty::EcP256;
}

core::Result<PublicKey, Error> public_key_from_jwk(const json& jwk) {
  if (!jwk.is_object()) return core::fail(Error::BadKey);
  auto kty = jwk.find("kty");
  auto kid = jwk.find("kid");
  if (kty == jwk.end() || !kty->is_string()) return core::fail(Error::BadKey);
  if (kid != jwk.end() && !kid->is_string()) return core::fail(Error::BadKey);
  auto alg = jwk_alg(jwk);
  if (!alg) return core::fail(alg.error());
  bool rsa = *kty == "RSA";
  if (!rsa && *kty != "EC") return core::fail(Error::BadKey);
  if (*alg && is_rsa(**alg) != rsa) return core::fail(Error::BadKey);
  auto pkey = rsa ? rsa_from_jwk(jwk) : ec_from_jwk(jwk);
  if (!pkey) return core::fail(pkey.error());
  std::string kid_text = kid == jwk.end() ? "" : kid->get<std::string>();
  return PublicKey(ossl::share(std::move(*pkey)), std::move(kid_text), *alg, rsa ? Kty::Rsa : Kty::EcP256,
                   jwk.contains("d"));
}

core::Result<PrivateKey, Error> PrivateKey::from_pem(std::string_view pem) {
  std::unique_ptr<BIO, ossl::Deleter<BIO_free>> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return core::fail(ossl::cleared(Error::BadKey));
  ossl::Pkey pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  if (!pkey) return core::fail(ossl::cleared(Error::BadKey));
  if (EVP_PKEY_is_a(pkey.get(), "RSA")) {
    if (EVP_PKEY_get_bits(pkey.get()) < kMinRsaBits) return core::fail(Error::BadKey);
    return PrivateKey(ossl::share(std::move(pkey)), Kty::Rsa);
  }
  char group[32] = {};
  if (!EVP_PKEY_is_a(pkey.get(), "EC") ||
      EVP_PKEY_get_utf8_string_param(pkey.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, nullptr) !=
          1 ||
      std::string_view(group) != "prime256v1") {
    return core::fail(ossl::cleared(Error::BadKey));
  }
  return PrivateKey(ossl::share(std::move(pkey)), Kty::EcP256);
}

PrivateKey PrivateKey::generate_rsa(int bits) {
  VIGIE_ASSERT(bits >= kMinRsaBits);
  ossl::Pkey pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits)));
  VIGIE_ASSERT(pkey != nullptr);
  return PrivateKey(ossl::share(std::move(pkey)), Kty::Rsa);
}

PrivateKey PrivateKey::generate_p256() {
  ossl::Pkey pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  VIGIE_ASSERT(pkey != nullptr);
  return PrivateKey(ossl::share(std::move(pkey)), Kty::EcP256);
}

json PrivateKey::public_jwk(std::string_view kid, std::optional<Alg> alg) const {
  auto bn = [&](const char* name) {
    BIGNUM* raw = nullptr;
    VIGIE_ASSERT(EVP_PKEY_get_bn_param(pkey_.get(), name, &raw) == 1);
    return ossl::Bn(raw);
  };
  json jwk;
  if (kty_ == Kty::Rsa) {
    jwk = {{"kty", "RSA"},
           {"n", crypto::base64url_encode(ossl::bn_bytes(bn(OSSL_PKEY_PARAM_RSA_N).get()))},
           {"e", crypto::base64url_encode(ossl::bn_bytes(bn(OSSL_PKEY_PARAM_RSA_E).get()))}};
  } else {
    jwk = {
        {"kty", "EC"},
        {"crv", "P-256"},
        {"x", crypto::base64url_encode(ossl::bn_bytes(bn(OSSL_PKEY_PARAM_EC_PUB_X).get(), kP256CoordBytes))},
        {"y", crypto::base64url_encode(ossl::bn_bytes(bn(OSSL_PKEY_PARAM_EC_PUB_Y).get(), kP256CoordBytes))}};
  }
  jwk["use"] = "sig";
  jwk["kid"] = std::string(kid);
  jwk["alg"] = name(alg.value_or(kty_ == Kty::Rsa ? Alg::RS256 : Alg::ES256));
  return jwk;
}

std::string PrivateKey::public_pem() const {
  std::unique_ptr<BIO, ossl::Deleter<BIO_free>> bio(BIO_new(BIO_s_mem()));
  VIGIE_ASSERT(bio && PEM_write_bio_PUBKEY(bio.get(), pkey_.get()) == 1);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

PublicKey PrivateKey::public_key(std::string kid, std::optional<Alg> alg) const {
  // Round-trip through SubjectPublicKeyInfo so the verification handle holds no private material.
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(pkey_.get(), &der);
  VIGIE_ASSERT(len > 0);
  const unsigned char* p = der;
  ossl::Pkey pub(d2i_PUBKEY(nullptr, &p, len));
  OPENSSL_free(der);
  VIGIE_ASSERT(pub != nullptr);
  return PublicKey(ossl::share(std::move(pub)), std::move(kid), alg, kty_);
}

}  // namespace vigie::jwt
