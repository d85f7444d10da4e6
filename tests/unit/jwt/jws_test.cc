#include "jwt/jws.h"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "crypto/hash.h"
#include "test_keys.h"

namespace vigie::jwt {
namespace {

using nlohmann::json;
using testing::b64;
using testing::keys;
using testing::signature_of;
using testing::token;
using testing::with_signature;

const json kClaims = {{"iss", "https://issuer.example"}, {"aud", "vigie"}, {"exp", 2000000000}};

// Signs `input` with OpenSSL directly, bypassing sign(): for signatures sign() never produces.
std::string raw_sign(EVP_PKEY* pkey, std::string_view input, int padding = 0, int salt = 0) {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  EXPECT_EQ(EVP_DigestSignInit_ex(md, &pctx, "SHA256", nullptr, nullptr, pkey, nullptr), 1);
  if (padding) {
    EXPECT_EQ(EVP_PKEY_CTX_set_rsa_padding(pctx, padding), 1);
  }
  if (padding == RSA_PKCS1_PSS_PADDING) {
    EXPECT_EQ(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt), 1);
  }
  size_t len = 0;
  auto data = reinterpret_cast<const unsigned char*>(input.data());
  EXPECT_EQ(EVP_DigestSign(md, nullptr, &len, data, input.size()), 1);
  std::string sig(len, '\0');
  EXPECT_EQ(EVP_DigestSign(md, reinterpret_cast<unsigned char*>(sig.data()), &len, data, input.size()), 1);
  sig.resize(len);
  EVP_MD_CTX_free(md);
  return sig;
}

std::string signing_input(std::string_view tok) {
  return std::string(tok.substr(0, tok.rfind('.')));
}

// ---- parse -------------------------------------------------------------------------------------

TEST(Jws, round_trip_for_each_alg) {
  const struct {
    Alg alg;
    const PrivateKey& key;
  } cases[] = {{Alg::RS256, keys().rsa}, {Alg::PS256, keys().rsa}, {Alg::ES256, keys().ec}};
  for (const auto& c : cases) {
    std::string tok = sign(c.key, c.alg, {{"kid", "k1"}}, kClaims);
    auto jws = parse(tok);
    ASSERT_TRUE(jws) << name(c.alg);
    EXPECT_EQ(jws->alg, c.alg);
    EXPECT_EQ(jws->kid, "k1");
    EXPECT_EQ(jws->typ, "JWT");
    EXPECT_EQ(jws->payload, kClaims);
    EXPECT_EQ(jws->signing_input, signing_input(tok));
    if (c.alg == Alg::ES256) {
      EXPECT_EQ(jws->signature.size(), 64u);
    }
    EXPECT_TRUE(verify_signature(*jws, c.key.public_key("k1"))) << name(c.alg);
  }
}

TEST(Jws, sign_keeps_alg_and_takes_extra_header_members) {
  std::string tok = sign(keys().ec, Alg::ES256, {{"alg", "none"}, {"typ", "at+jwt"}, {"kid", "x"}}, kClaims);
  auto jws = parse(tok);
  ASSERT_TRUE(jws);
  EXPECT_EQ(jws->header, (json{{"alg", "ES256"}, {"typ", "at+jwt"}, {"kid", "x"}}));
}

struct ParseCase {
  const char* name;
  std::string token;
  Error error;
};

std::string rs256_header() {
  return R"({"alg":"RS256","kid":"k"})";
}
std::string with_header(std::string_view header) {
  return token(header, kClaims.dump(), "sig");
}

// The classic confusion attack: HS256 keyed with the issuer's public key, which everyone has.
std::string hs256_with_public_key_as_secret() {
  std::string input = b64(R"({"alg":"HS256","typ":"JWT"})") + "." + b64(kClaims.dump());
  return input + "." + b64(crypto::hmac_sha256(keys().rsa.public_pem(), input));
}

TEST(Jws, parse_rejects_each_malformed_or_dangerous_token) {
  const std::string good = sign(keys().rsa, Alg::RS256, {{"kid", "k"}}, kClaims);
  const std::string h = b64(rs256_header()), p = b64(kClaims.dump()), s = b64("sig");
  const ParseCase cases[] = {
      {"alg_none_rejected", b64(R"({"alg":"none"})") + "." + p + ".", Error::AlgNone},
      {"alg_none_with_signature_rejected", with_header(R"({"alg":"none"})"), Error::AlgNone},
      {"alg_none_uppercase_rejected", with_header(R"({"alg":"NONE"})"), Error::AlgNone},
      {"hs256_key_confusion_rejected", hs256_with_public_key_as_secret(), Error::AlgNotAllowed},
      {"hs512_rejected", with_header(R"({"alg":"HS512"})"), Error::AlgNotAllowed},
      {"rs512_rejected", with_header(R"({"alg":"RS512"})"), Error::AlgNotAllowed},
      {"eddsa_rejected", with_header(R"({"alg":"EdDSA"})"), Error::AlgNotAllowed},
      {"alg_lowercase_rejected", with_header(R"({"alg":"rs256"})"), Error::AlgNotAllowed},
      {"alg_as_number", with_header(R"({"alg":256})"), Error::BadHeader},
      {"alg_missing", with_header(R"({"kid":"k"})"), Error::BadHeader},
      {"jku_forbidden", with_header(R"({"alg":"RS256","jku":"https://evil.example/jwks"})"),
       Error::ForbiddenHeader},
      {"x5u_forbidden", with_header(R"({"alg":"RS256","x5u":"https://evil.example/cert"})"),
       Error::ForbiddenHeader},
      {"jwk_forbidden", with_header(R"({"alg":"RS256","jwk":{"kty":"RSA"}})"), Error::ForbiddenHeader},
      {"x5c_forbidden", with_header(R"({"alg":"RS256","x5c":["MIIB"]})"), Error::ForbiddenHeader},
      {"crit_rejected", with_header(R"({"alg":"RS256","crit":["exp"],"exp":1})"), Error::UnknownCrit},
      {"crit_empty_rejected", with_header(R"({"alg":"RS256","crit":[]})"), Error::UnknownCrit},
      {"kid_as_number", with_header(R"({"alg":"RS256","kid":1})"), Error::BadHeader},
      {"typ_as_object", with_header(R"({"alg":"RS256","typ":{}})"), Error::BadHeader},
      {"header_is_array", with_header(R"(["RS256"])"), Error::BadHeader},
      {"header_is_string", with_header(R"("RS256")"), Error::BadHeader},
      {"header_not_json", with_header(R"({"alg":"RS256")"), Error::BadHeader},
      {"header_trailing_garbage", with_header(R"({"alg":"RS256"}x)"), Error::BadHeader},
      {"payload_is_array", token(rs256_header(), "[1]", "sig"), Error::BadPayload},
      {"payload_is_number", token(rs256_header(), "42", "sig"), Error::BadPayload},
      {"payload_not_json", token(rs256_header(), "hello", "sig"), Error::BadPayload},
      {"jwe_five_parts", h + ".ZW5j.aXY." + p + "." + s, Error::Malformed},
      {"two_parts", h + "." + p, Error::Malformed},
      {"four_parts", good + ".x", Error::Malformed},
      {"empty", "", Error::Malformed},
      {"empty_header", "." + p + "." + s, Error::Malformed},
      {"empty_payload", h + ".." + s, Error::Malformed},
      {"empty_signature", h + "." + p + ".", Error::Malformed},
      {"bad_base64url_in_header", "+" + h.substr(1) + "." + p + "." + s, Error::Malformed},
      {"bad_base64url_in_payload", h + "." + p + "=." + s, Error::Malformed},
      {"bad_base64url_in_signature", h + "." + p + "." + s + "/", Error::Malformed},
      {"padded_signature", h + "." + p + ".c2lnZQ==", Error::Malformed},
      {"whitespace_in_token", h + ". " + p + "." + s, Error::Malformed},
      {"too_long", with_header(R"({"alg":"RS256","x":")" + std::string(20000, 'a') + "\"}"),
       Error::Malformed},
  };
  for (const auto& c : cases) {
    auto jws = parse(c.token);
    ASSERT_FALSE(jws) << c.name;
    EXPECT_EQ(jws.error(), c.error) << c.name << ": got " << code(jws.error());
  }
}

TEST(Jws, size_limit_is_configurable) {
  std::string tok = sign(keys().ec, Alg::ES256, json::object(), kClaims);
  EXPECT_TRUE(parse(tok, tok.size()));
  EXPECT_EQ(parse(tok, tok.size() - 1).error(), Error::Malformed);
}

TEST(Jws, x5t_thumbprint_header_is_allowed) {
  // Entra ID sends x5t next to kid; it is a hint, not a key, so it is harmless.
  std::string tok = sign(keys().rsa, Alg::RS256, {{"kid", "k"}, {"x5t", "abc"}}, kClaims);
  EXPECT_TRUE(parse(tok));
}

// ---- verify_signature --------------------------------------------------------------------------

struct VerifyCase {
  const char* name;
  std::string token;
  PublicKey key;
  Error error;
};

std::string flip_bit(std::string_view tok, size_t byte) {
  std::string sig = signature_of(tok);
  sig[byte] = static_cast<char>(sig[byte] ^ 0x01);
  return with_signature(tok, sig);
}

std::string es256_der_signature() {
  std::string tok = sign(keys().ec, Alg::ES256, json::object(), kClaims);
  return with_signature(tok, raw_sign(keys().ec.pkey(), signing_input(tok)));
}

// A PS256 header over a PKCS#1 v1.5 signature, and the reverse: the header picks the padding.
std::string rs256_signature_labelled_ps256() {
  std::string input = b64(R"({"alg":"PS256"})") + "." + b64(kClaims.dump());
  return input + "." + b64(raw_sign(keys().rsa.pkey(), input, RSA_PKCS1_PADDING));
}

std::string ps256_signature_labelled_rs256() {
  std::string input = b64(R"({"alg":"RS256"})") + "." + b64(kClaims.dump());
  return input + "." + b64(raw_sign(keys().rsa.pkey(), input, RSA_PKCS1_PSS_PADDING, 32));
}

std::string ps256_with_salt(int salt) {
  std::string input = b64(R"({"alg":"PS256"})") + "." + b64(kClaims.dump());
  return input + "." + b64(raw_sign(keys().rsa.pkey(), input, RSA_PKCS1_PSS_PADDING, salt));
}

std::string altered_payload(std::string_view tok) {
  std::string changed = kClaims.dump();
  changed.replace(changed.find("vigie"), 5, "admin");
  return std::string(tok.substr(0, tok.find('.') + 1)) + b64(changed) +
         std::string(tok.substr(tok.rfind('.')));
}

TEST(Jws, verify_rejects_each_bad_signature_or_key) {
  const std::string rs = sign(keys().rsa, Alg::RS256, json::object(), kClaims);
  const std::string ps = sign(keys().rsa, Alg::PS256, json::object(), kClaims);
  const std::string es = sign(keys().ec, Alg::ES256, json::object(), kClaims);
  const PublicKey rsa = keys().rsa.public_key("r");
  const PublicKey ec = keys().ec.public_key("e");
  const VerifyCase cases[] = {
      {"rs256_signature_altered_by_one_bit", flip_bit(rs, 100), rsa, Error::BadSignature},
      {"ps256_signature_altered_by_one_bit", flip_bit(ps, 0), rsa, Error::BadSignature},
      {"es256_signature_altered_by_one_bit", flip_bit(es, 63), ec, Error::BadSignature},
      {"rs256_payload_altered", altered_payload(rs), rsa, Error::BadSignature},
      {"es256_payload_altered", altered_payload(es), ec, Error::BadSignature},
      {"rs256_signature_from_another_key", rs, keys().rsa2.public_key("r"), Error::BadSignature},
      {"ps256_signature_from_another_key", ps, keys().rsa2.public_key("r"), Error::BadSignature},
      {"es256_signature_from_another_key", es, keys().ec2.public_key("e"), Error::BadSignature},
      {"es256_der_signature_rejected", es256_der_signature(), ec, Error::BadSignature},
      {"es256_signature_63_bytes", with_signature(es, signature_of(es).substr(1)), ec, Error::BadSignature},
      {"es256_signature_all_zero", with_signature(es, std::string(64, '\0')), ec, Error::BadSignature},
      {"rs256_signature_truncated", with_signature(rs, signature_of(rs).substr(1)), rsa, Error::BadSignature},
      {"rs256_signature_extended", with_signature(rs, '\0' + signature_of(rs)), rsa, Error::BadSignature},
      {"pkcs1_signature_labelled_ps256", rs256_signature_labelled_ps256(), rsa, Error::BadSignature},
      {"pss_signature_labelled_rs256", ps256_signature_labelled_rs256(), rsa, Error::BadSignature},
      {"ps256_salt_20_bytes_rejected", ps256_with_salt(20), rsa, Error::BadSignature},
      {"ps256_salt_0_bytes_rejected", ps256_with_salt(0), rsa, Error::BadSignature},
      {"ps256_with_key_marked_rs256", ps, keys().rsa.public_key("r", Alg::RS256), Error::AlgNotAllowed},
      {"rs256_with_ec_key", rs, ec, Error::AlgNotAllowed},
      {"es256_with_rsa_key", es, rsa, Error::AlgNotAllowed},
  };
  for (const auto& c : cases) {
    auto jws = parse(c.token);
    ASSERT_TRUE(jws) << c.name << ": " << code(jws.error());
    auto ok = verify_signature(*jws, c.key);
    ASSERT_FALSE(ok) << c.name;
    EXPECT_EQ(ok.error(), c.error) << c.name << ": got " << code(ok.error());
  }
}

TEST(Jws, ps256_salt_32_signed_independently_verifies) {
  auto jws = parse(ps256_with_salt(32));
  ASSERT_TRUE(jws);
  EXPECT_TRUE(verify_signature(*jws, keys().rsa.public_key("r")));
}

TEST(Jws, rsa_signature_without_its_leading_zero_is_rejected) {
  // OpenSSL 3.0 accepts the shorter encoding for PSS; we require the full modulus length. About
  // one signature in 256 starts with a zero byte: search for one per algorithm.
  const PublicKey rsa = keys().rsa.public_key("r");
  for (Alg alg : {Alg::RS256, Alg::PS256}) {
    bool found = false;
    for (int i = 0; i < 5000 && !found; ++i) {
      std::string tok = sign(keys().rsa, alg, json::object(), {{"n", i}});
      std::string sig = signature_of(tok);
      if (sig[0] != '\0') continue;
      found = true;
      auto full = parse(tok);
      auto stripped = parse(with_signature(tok, sig.substr(1)));
      ASSERT_TRUE(full && stripped);
      EXPECT_TRUE(verify_signature(*full, rsa)) << name(alg);
      EXPECT_EQ(verify_signature(*stripped, rsa).error(), Error::BadSignature) << name(alg);
    }
    EXPECT_TRUE(found) << "no " << name(alg) << " signature with a leading zero byte in 5000 tries";
  }
}

TEST(Jws, failed_verification_leaves_no_openssl_error_behind) {
  // The worker's TLS code shares the thread's OpenSSL error queue.
  std::string es = sign(keys().ec, Alg::ES256, json::object(), kClaims);
  auto jws = parse(flip_bit(es, 5));
  ASSERT_TRUE(jws);
  EXPECT_FALSE(verify_signature(*jws, keys().ec.public_key("e")));
  EXPECT_EQ(ERR_peek_error(), 0u);
}

// ---- RFC 7515 Appendix A known answers (signed by the RFC authors, not by this code) -------------

constexpr std::string_view kRfcPayload =
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";

TEST(Jws, rfc7515_a2_rs256_example_verifies) {
  json jwk = {
      {"kty", "RSA"},
      {"n",
       "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-"
       "yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-"
       "KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-"
       "DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ"},
      {"e", "AQAB"}};
  std::string tok =
      "eyJhbGciOiJSUzI1NiJ9." + std::string(kRfcPayload) +
      ".cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5"
      "jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L"
      "07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUi"
      "pUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";
  auto key = public_key_from_jwk(jwk);
  ASSERT_TRUE(key);
  auto jws = parse(tok);
  ASSERT_TRUE(jws);
  EXPECT_EQ(jws->payload["iss"], "joe");
  EXPECT_TRUE(verify_signature(*jws, *key));
  auto altered = parse(flip_bit(tok, 7));
  ASSERT_TRUE(altered);
  EXPECT_EQ(verify_signature(*altered, *key).error(), Error::BadSignature);
}

TEST(Jws, rfc7515_a3_es256_example_verifies) {
  json jwk = {{"kty", "EC"},
              {"crv", "P-256"},
              {"x", "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"},
              {"y", "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}};
  std::string tok = "eyJhbGciOiJFUzI1NiJ9." + std::string(kRfcPayload) +
                    ".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
  auto key = public_key_from_jwk(jwk);
  ASSERT_TRUE(key);
  auto jws = parse(tok);
  ASSERT_TRUE(jws);
  EXPECT_TRUE(verify_signature(*jws, *key));
  auto altered = parse(flip_bit(tok, 40));
  ASSERT_TRUE(altered);
  EXPECT_EQ(verify_signature(*altered, *key).error(), Error::BadSignature);
}

}  // namespace
}  // namespace vigie::jwt
