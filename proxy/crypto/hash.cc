#include "crypto/hash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/assert.h"

namespace vigie::crypto {
namespace {

// Fetched once: sha256_md() makes every call look the algorithm up in the provider again
// (OpenSSL 3 "implicit fetch"), a measurable cost on the bearer hot path. Never freed: the
// process may hash until OpenSSL's own clean-up at exit.
const EVP_MD* sha256_md() {
  static const EVP_MD* md = [] {
    EVP_MD* m = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    VIGIE_ASSERT(m != nullptr);
    return m;
  }();
  return md;
}

}  // namespace

std::string sha256(std::string_view data) {
  std::string out(32, '\0');
  unsigned int len = 0;
  int ok = EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &len,
                      sha256_md(), nullptr);
  VIGIE_ASSERT(ok == 1 && len == 32);
  return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  std::string out(32, '\0');
  unsigned int len = 0;
  // HMAC() is the one-shot helper that stays non-deprecated in OpenSSL 3 (unlike HMAC_CTX).
  // OpenSSL rejects a null key pointer even with length 0, so pass a valid empty buffer.
  static const unsigned char kEmpty = 0;
  const void* k = key.empty() ? static_cast<const void*>(&kEmpty) : key.data();
  unsigned char* r =
      HMAC(sha256_md(), k, static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
           data.size(), reinterpret_cast<unsigned char*>(out.data()), &len);
  VIGIE_ASSERT(r != nullptr && len == 32);
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace vigie::crypto
