#include "jwt/jws.h"

#include <openssl/ec.h>
#include <openssl/rsa.h>

#include <optional>

#include "core/assert.h"
#include "core/strings.h"
#include "crypto/encoding.h"
#include "jwt/ossl.h"

namespace vigie::jwt {
namespace {

using nlohmann::json;

// RFC 7518 §3.5: PS256 uses a salt as long as the SHA-256 output. We require exactly that rather
// than RSA_PSS_SALTLEN_AUTO, so a token has one valid encoding per signature.
constexpr int kPssSaltBytes = 32;
constexpr size_t kP256Half = 32;

struct Parts {
  std::string_view header, payload, signature;
};

// Exactly three dot-separated parts: a JWE (five parts) or a JWS with stray dots is Malformed.
// The signature may be empty here so that alg "none" is reported as such, not as Malformed.
std::optional<Parts> split(std::string_view token) {
  auto a = token.find('.');
  if (a == std::string_view::npos) return std::nullopt;
  auto b = token.find('.', a + 1);
  if (b == std::string_view::npos || token.find('.', b + 1) != std::string_view::npos) return std::nullopt;
  Parts p{token.substr(0, a), token.substr(a + 1, b - a - 1), token.substr(b + 1)};
  if (p.header.empty() || p.payload.empty()) return std::nullopt;
  return p;
}

core::Result<Alg, Error> header_alg(const json& header) {
  auto it = header.find("alg");
  if (it == header.end() || !it->is_string()) return core::fail(Error::BadHeader);
  const auto& text = it->get_ref<const std::string&>();
  // "none" in any case: some libraries compare case-insensitively, so attackers try "None" too.
  if (core::iequals(text, "none")) return core::fail(Error::AlgNone);
  // Only asymmetric algorithms parse: accepting HS256 would let an attacker use the issuer's public
  // key as an HMAC secret (the key-confusion attack).
  auto alg = parse_alg(text);
  if (!alg) return core::fail(Error::AlgNotAllowed);
  return *alg;
}

core::Result<void, Error> check_header(const json& header) {
  // Keys come from the issuer's configured JWKS only. A header naming its own key or key URL
  // (jku, x5u, jwk, x5c) is how an attacker brings a key they hold; we refuse the token outright
  // rather than ignore the header, so such probes show up in metrics.
  for (const char* name : {"jku", "x5u", "jwk", "x5c"}) {
    if (header.contains(name)) return core::fail(Error::ForbiddenHeader);
  }
  // RFC 7515 §4.1.11: a recipient must reject a crit extension it does not understand; we
  // implement none.
  if (header.contains("crit")) return core::fail(Error::UnknownCrit);
  for (const char* name : {"kid", "typ"}) {
    if (auto it = header.find(name); it != header.end() && !it->is_string())
      return core::fail(Error::BadHeader);
  }
  return {};
}

std::string string_member(const json& obj, const char* name) {
  auto it = obj.find(name);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool configure_padding(EVP_PKEY_CTX* pctx, Alg alg) {
  switch (alg) {
    case Alg::RS256:
      return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
    case Alg::PS256:
      return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, "SHA256", nullptr) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, kPssSaltBytes) == 1;
    case Alg::ES256:
      return true;
  }
  return false;
}

using EcdsaSig = std::unique_ptr<ECDSA_SIG, ossl::Deleter<ECDSA_SIG_free>>;

// JWS carries ECDSA as fixed-width R || S (RFC 7518 §3.4); OpenSSL wants DER. Only the raw form
// is accepted: a DER signature in a token is non-conforming and would make encodings ambiguous.
std::optional<std::string> raw_to_der(std::string_view raw) {
  if (raw.size() != 2 * kP256Half) return std::nullopt;
  ossl::Bn r(BN_bin2bn(ossl::u8(raw), kP256Half, nullptr));
  ossl::Bn s(BN_bin2bn(ossl::u8(raw) + kP256Half, kP256Half, nullptr));
  EcdsaSig sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return std::nullopt;
  r.release();  // owned by sig now
  s.release();
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) return std::nullopt;
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

std::string der_to_raw(std::string_view der) {
  const unsigned char* p = ossl::u8(der);
  EcdsaSig sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  VIGIE_ASSERT(sig != nullptr);
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  return ossl::bn_bytes(r, kP256Half) + ossl::bn_bytes(s, kP256Half);
}

std::string encode_json(const json& j) {
  // replace: invalid UTF-8 in a claim must not throw out of sign().
  return crypto::base64url_encode(j.dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace

core::Result<Jws, Error> parse(std::string_view token, size_t max_bytes) {
  if (token.size() > max_bytes) return core::fail(Error::Malformed);
  auto parts = split(token);
  if (!parts) return core::fail(Error::Malformed);
  auto header_bytes = crypto::base64url_decode(parts->header);
  auto payload_bytes = crypto::base64url_decode(parts->payload);
  auto signature = crypto::base64url_decode(parts->signature);
  if (!header_bytes || !payload_bytes || !signature) return core::fail(Error::Malformed);

  Jws jws;
  jws.header = json::parse(*header_bytes, nullptr, /*allow_exceptions=*/false);
  if (jws.header.is_discarded() || !jws.header.is_object()) return core::fail(Error::BadHeader);
  auto alg = header_alg(jws.header);
  if (!alg) return core::fail(alg.error());
  if (auto ok = check_header(jws.header); !ok) return core::fail(ok.error());
  jws.payload = json::parse(*payload_bytes, nullptr, /*allow_exceptions=*/false);
  if (jws.payload.is_discarded() || !jws.payload.is_object()) return core::fail(Error::BadPayload);
  if (signature->empty()) return core::fail(Error::Malformed);

  jws.alg = *alg;
  jws.kid = string_member(jws.header, "kid");
  jws.typ = string_member(jws.header, "typ");
  jws.signing_input = std::string(token.substr(0, parts->header.size() + 1 + parts->payload.size()));
  jws.signature = std::move(*signature);
  return jws;
}

core::Result<void, Error> verify_signature(const Jws& jws, const PublicKey& key) {
  // The algorithm comes from the token, so it is only a claim: the key decides what it may verify.
  if (!key.fits(jws.alg)) return core::fail(Error::AlgNotAllowed);
  std::string der;
  std::string_view sig = jws.signature;
  if (jws.alg == Alg::ES256) {
    auto converted = raw_to_der(sig);
    if (!converted) return core::fail(ossl::cleared(Error::BadSignature));
    der = std::move(*converted);
    sig = der;
  } else if (sig.size() != static_cast<size_t>(EVP_PKEY_get_size(key.pkey()))) {
    // OpenSSL 3.0 checks this length for PKCS#1 v1.5 but not for PSS, where a signature with its
    // leading zero byte stripped still verifies. Insisting on the full modulus length for both
    // gives each signature exactly one encoding.
    return core::fail(Error::BadSignature);
  }
  ossl::MdCtx md(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by md
  bool ok = md &&
            EVP_DigestVerifyInit_ex(md.get(), &pctx, "SHA256", nullptr, nullptr, key.pkey(), nullptr) == 1 &&
            configure_padding(pctx, jws.alg) &&
            EVP_DigestVerify(md.get(), ossl::u8(sig), sig.size(), ossl::u8(jws.signing_input),
                             jws.signing_input.size()) == 1;
  if (!ok) return core::fail(ossl::cleared(Error::BadSignature));
  return {};
}

std::string sign(const PrivateKey& key, Alg alg, const json& header_extra, const json& payload) {
  VIGIE_ASSERT(is_rsa(alg) ? key.kty() == Kty::Rsa : key.kty() == Kty::EcP256);
  json header = {{"alg", name(alg)}, {"typ", "JWT"}};
  if (header_extra.is_object()) {
    for (const auto& [k, v] : header_extra.items()) {
      if (k != "alg") header[k] = v;
    }
  }
  std::string input = encode_json(header) + "." + encode_json(payload);
  ossl::MdCtx md(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by md
  size_t len = 0;
  bool ok = md &&
            EVP_DigestSignInit_ex(md.get(), &pctx, "SHA256", nullptr, nullptr, key.pkey(), nullptr) == 1 &&
            configure_padding(pctx, alg) &&
            EVP_DigestSign(md.get(), nullptr, &len, ossl::u8(input), input.size()) == 1;
  std::string sig(len, '\0');
  ok = ok && EVP_DigestSign(md.get(), ossl::u8(sig), &len, ossl::u8(input), input.size()) == 1;
  VIGIE_ASSERT(ok);
  sig.resize(len);
  if (alg == Alg::ES256) sig = der_to_raw(sig);
  return input + "." + crypto::base64url_encode(sig);
}

}  // namespace vigie::jwt
