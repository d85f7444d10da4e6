// Fuzz target: the JWT path an attacker reaches with a bearer token (parse, signature check,
// claims), plus the JWKS parser and the base64url decoder. Any input must give a Result, never a
// crash, a leak or an uncaught exception.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crypto/encoding.h"
#include "jwt/claims.h"
#include "jwt/jws.h"
#include "jwt/keyset.h"

namespace {

using namespace vigie;

// Generated once per process: the fuzzer cannot forge signatures, but it exercises the length,
// DER conversion and padding paths of each algorithm, and the claims checks behind them.
struct Keys {
  jwt::PublicKey rsa = jwt::PrivateKey::generate_rsa().public_key("rsa");
  jwt::PublicKey ec = jwt::PrivateKey::generate_p256().public_key("ec");
};

const Keys& keys() {
  static const Keys k;
  return k;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto jws = jwt::parse(text)) {
    const auto& key = jws->alg == jwt::Alg::ES256 ? keys().ec : keys().rsa;
    (void)jwt::verify_signature(*jws, key);
    jwt::ClaimRules rules{.issuers = {"https://issuer.example"}, .audiences = {"vigie"}, .typ = "JWT"};
    (void)jwt::check_claims(*jws, rules, 1'700'000'000);
  }
  if (auto set = jwt::parse_jwks(text)) {
    for (const auto& kid : set->kids()) (void)set->find(kid, jwt::Alg::RS256);
    (void)set->find("", jwt::Alg::ES256);
  }
  if (auto bytes = crypto::base64url_decode(text)) {
    if (crypto::base64url_encode(*bytes) != text) __builtin_trap();  // decoding is canonical
  }
  if (auto bytes = crypto::base64_decode(text)) {
    if (crypto::base64_encode(*bytes) != text) __builtin_trap();
  }
  return 0;
}
