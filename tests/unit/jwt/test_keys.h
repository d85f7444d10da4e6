// Keys and token builders shared by the jwt unit tests. Keys are generated at first use (never
// stored in the repo) and shared by every test of the binary, since RSA generation is slow.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "crypto/encoding.h"
#include "jwt/key.h"

namespace vigie::jwt::testing {

struct TestKeys {
  PrivateKey rsa = PrivateKey::generate_rsa();
  PrivateKey rsa2 = PrivateKey::generate_rsa();
  PrivateKey ec = PrivateKey::generate_p256();
  PrivateKey ec2 = PrivateKey::generate_p256();
};

inline const TestKeys& keys() {
  static const TestKeys k;
  return k;
}

inline std::string b64(std::string_view bytes) {
  return crypto::base64url_encode(bytes);
}

// A token from literal JSON texts and raw signature bytes: lets tests build what sign() refuses to.
inline std::string token(std::string_view header, std::string_view payload, std::string_view signature) {
  return b64(header) + "." + b64(payload) + "." + b64(signature);
}

// The token with its signature part replaced.
inline std::string with_signature(std::string_view tok, std::string_view signature) {
  return std::string(tok.substr(0, tok.rfind('.') + 1)) + b64(signature);
}

inline std::string signature_of(std::string_view tok) {
  return crypto::base64url_decode(tok.substr(tok.rfind('.') + 1)).value_or("");
}

}  // namespace vigie::jwt::testing
