// Test PKI generated on the fly with OpenSSL: a CA and a leaf certificate for "localhost" and
// 127.0.0.1 signed by it, written as PEM files. Lets TLS tests run with real verification and no
// checked-in keys.
#pragma once

#include <string>

namespace vigie::testing {

struct TestPki {
  std::string ca_file;
  std::string cert_file;  // leaf, SAN DNS:localhost, IP:127.0.0.1
  std::string key_file;
};

// Writes ca.pem, cert.pem and key.pem into dir. Throws on OpenSSL failure.
TestPki make_test_pki(const std::string& dir);

}  // namespace vigie::testing
