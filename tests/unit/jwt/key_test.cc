#include "jwt/key.h"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <functional>

#include "jwt/jws.h"
#include "test_keys.h"

namespace vigie::jwt {
namespace {

using nlohmann::json;
using testing::b64;
using testing::keys;

std::string private_pem(EVP_PKEY* pkey, const EVP_CIPHER* cipher = nullptr) {
  BIO* bio = BIO_new(BIO_s_mem());
  static char pass[] = "passphrase";
  EXPECT_EQ(PEM_write_bio_PrivateKey(bio, pkey, cipher, reinterpret_cast<unsigned char*>(pass),
                                     cipher ? 10 : 0, nullptr, nullptr),
            1);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  return out;
}

std::string bn_param(EVP_PKEY* pkey, const char* name) {
  BIGNUM* bn = nullptr;
  EXPECT_EQ(EVP_PKEY_get_bn_param(pkey, name, &bn), 1);
  std::string out(static_cast<size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  BN_free(bn);
  return out;
}

TEST(Key, public_jwk_round_trips_to_a_verifying_key) {
  for (const PrivateKey* key : {&keys().rsa, &keys().ec}) {
    json jwk = key->public_jwk("k1");
    EXPECT_EQ(jwk["use"], "sig");
    EXPECT_FALSE(jwk.contains("d"));
    auto pub = public_key_from_jwk(jwk);
    ASSERT_TRUE(pub) << jwk.dump();
    EXPECT_EQ(pub->kid(), "k1");
    EXPECT_EQ(pub->kty(), key->kty());
    Alg alg = key->kty() == Kty::Rsa ? Alg::RS256 : Alg::ES256;
    EXPECT_EQ(pub->alg(), alg);
    auto jws = parse(sign(*key, alg, json::object(), {{"sub", "a"}}));
    ASSERT_TRUE(jws);
    EXPECT_TRUE(verify_signature(*jws, *pub));
  }
}

TEST(Key, public_jwk_can_name_ps256) {
  EXPECT_EQ(keys().rsa.public_jwk("k", Alg::PS256)["alg"], "PS256");
}

TEST(Key, rsa_1024_bit_jwk_is_bad_key) {
  EVP_PKEY* small = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{1024});
  ASSERT_NE(small, nullptr);
  json jwk = {{"kty", "RSA"},
              {"n", b64(bn_param(small, OSSL_PKEY_PARAM_RSA_N))},
              {"e", b64(bn_param(small, OSSL_PKEY_PARAM_RSA_E))}};
  EXPECT_EQ(public_key_from_jwk(jwk).error(), Error::BadKey);
  // The same key as PEM is refused for signing too.
  EXPECT_EQ(PrivateKey::from_pem(private_pem(small)).error(), Error::BadKey);
  EVP_PKEY_free(small);
}

struct JwkCase {
  const char* name;
  std::function<void(json&)> mutate;
};

void flip_last_byte(json& jwk, const char* member) {
  std::string bytes = crypto::base64url_decode(jwk[member].get<std::string>()).value();
  bytes.back() = static_cast<char>(bytes.back() ^ 1);
  jwk[member] = b64(bytes);
}

TEST(Key, unusable_ec_jwks_are_bad_key) {
  const JwkCase cases[] = {
      {"ec_point_not_on_curve", [](json& j) { flip_last_byte(j, "y"); }},
      {"ec_curve_p384", [](json& j) { j["crv"] = "P-384"; }},
      {"ec_crv_missing", [](json& j) { j.erase("crv"); }},
      {"ec_x_31_bytes", [](json& j) { j["x"] = b64(std::string(31, '\x01')); }},
      {"ec_y_33_bytes", [](json& j) { j["y"] = b64(std::string(33, '\x01')); }},
      {"ec_x_not_base64url", [](json& j) { j["x"] = j["x"].get<std::string>() + "="; }},
      {"ec_key_labelled_rs256", [](json& j) { j["alg"] = "RS256"; }},
      {"use_enc", [](json& j) { j["use"] = "enc"; }},
      {"use_not_a_string", [](json& j) { j["use"] = 1; }},
      {"alg_hs256", [](json& j) { j["alg"] = "HS256"; }},
      {"alg_es384", [](json& j) { j["alg"] = "ES384"; }},
      {"kid_not_a_string", [](json& j) { j["kid"] = 7; }},
      {"kty_oct", [](json& j) { j["kty"] = "oct"; }},
      {"kty_okp", [](json& j) { j["kty"] = "OKP"; }},
      {"kty_missing", [](json& j) { j.erase("kty"); }},
      {"kty_lowercase", [](json& j) { j["kty"] = "ec"; }},
      {"not_an_object", [](json& j) { j = json::array({j}); }},
  };
  for (const auto& c : cases) {
    json jwk = keys().ec.public_jwk("ec");
    c.mutate(jwk);
    auto key = public_key_from_jwk(jwk);
    ASSERT_FALSE(key) << c.name;
    EXPECT_EQ(key.error(), Error::BadKey) << c.name;
  }
}

TEST(Key, unusable_rsa_jwks_are_bad_key) {
  const JwkCase cases[] = {
      {"rsa_n_missing", [](json& j) { j.erase("n"); }},
      {"rsa_e_missing", [](json& j) { j.erase("e"); }},
      {"rsa_n_not_a_string", [](json& j) { j["n"] = 12345; }},
      {"rsa_modulus_even", [](json& j) { flip_last_byte(j, "n"); }},
      {"rsa_exponent_even", [](json& j) { j["e"] = b64("\x01\x00\x00"); }},
      {"rsa_exponent_one", [](json& j) { j["e"] = b64("\x01"); }},
      {"rsa_exponent_too_long", [](json& j) { j["e"] = b64(std::string(9, '\x01')); }},
      {"rsa_modulus_too_large", [](json& j) { j["n"] = b64(std::string(1025, '\xff')); }},
      {"rsa_key_labelled_es256", [](json& j) { j["alg"] = "ES256"; }},
  };
  for (const auto& c : cases) {
    json jwk = keys().rsa.public_jwk("rsa");
    c.mutate(jwk);
    auto key = public_key_from_jwk(jwk);
    ASSERT_FALSE(key) << c.name;
    EXPECT_EQ(key.error(), Error::BadKey) << c.name;
  }
}

TEST(Key, optional_members_may_be_absent) {
  json jwk = keys().rsa.public_jwk("x");
  jwk.erase("use");
  jwk.erase("alg");
  jwk.erase("kid");
  auto key = public_key_from_jwk(jwk);
  ASSERT_TRUE(key);
  EXPECT_EQ(key->kid(), "");
  EXPECT_FALSE(key->alg());
}

TEST(Key, jwk_with_private_part_is_usable_but_flagged) {
  json jwk = keys().ec.public_jwk("ec");
  jwk["d"] = b64(std::string(32, '\x05'));  // not the real private key: it must be ignored
  auto key = public_key_from_jwk(jwk);
  ASSERT_TRUE(key);
  EXPECT_TRUE(key->had_private_part());
  auto jws = parse(sign(keys().ec, Alg::ES256, json::object(), json::object()));
  ASSERT_TRUE(jws);
  EXPECT_TRUE(verify_signature(*jws, *key));
}

TEST(Key, fits_checks_kty_and_declared_alg) {
  PublicKey rsa_any = keys().rsa.public_key("r");
  PublicKey rsa_rs256 = keys().rsa.public_key("r", Alg::RS256);
  PublicKey ec = keys().ec.public_key("e");
  EXPECT_TRUE(rsa_any.fits(Alg::RS256));
  EXPECT_TRUE(rsa_any.fits(Alg::PS256));
  EXPECT_FALSE(rsa_any.fits(Alg::ES256));
  EXPECT_TRUE(rsa_rs256.fits(Alg::RS256));
  EXPECT_FALSE(rsa_rs256.fits(Alg::PS256));
  EXPECT_TRUE(ec.fits(Alg::ES256));
  EXPECT_FALSE(ec.fits(Alg::RS256));
}

TEST(Key, public_key_holds_no_private_material) {
  PublicKey pub = keys().rsa.public_key("r");
  BIGNUM* d = nullptr;
  EXPECT_NE(EVP_PKEY_get_bn_param(pub.pkey(), OSSL_PKEY_PARAM_RSA_D, &d), 1);
  BN_free(d);
  ERR_clear_error();
}

TEST(Key, from_pem_loads_rsa_and_p256) {
  for (const PrivateKey* key : {&keys().rsa, &keys().ec}) {
    auto loaded = PrivateKey::from_pem(private_pem(key->pkey()));
    ASSERT_TRUE(loaded);
    EXPECT_EQ(loaded->kty(), key->kty());
    EXPECT_EQ(loaded->public_jwk("k"), key->public_jwk("k"));
  }
}

TEST(Key, from_pem_refuses_what_it_cannot_sign_with) {
  EVP_PKEY* p384 = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
  ASSERT_NE(p384, nullptr);
  const struct {
    const char* name;
    std::string pem;
  } cases[] = {
      {"garbage", "not a pem"},
      {"empty", ""},
      {"public_key_only", keys().rsa.public_pem()},
      // Must fail without prompting for a passphrase on the terminal.
      {"encrypted", private_pem(keys().rsa.pkey(), EVP_aes_256_cbc())},
      {"p384", private_pem(p384)},
  };
  for (const auto& c : cases) {
    auto key = PrivateKey::from_pem(c.pem);
    ASSERT_FALSE(key) << c.name;
    EXPECT_EQ(key.error(), Error::BadKey) << c.name;
  }
  EVP_PKEY_free(p384);
}

TEST(Key, public_pem_is_spki_of_the_same_key) {
  std::string pem = keys().ec.public_pem();
  EXPECT_TRUE(pem.starts_with("-----BEGIN PUBLIC KEY-----\n")) << pem;
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* pub = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  ASSERT_NE(pub, nullptr);
  EXPECT_EQ(EVP_PKEY_eq(pub, keys().ec.pkey()), 1);
  EVP_PKEY_free(pub);
  BIO_free(bio);
}

}  // namespace
}  // namespace vigie::jwt
