#include "crypto/aead.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <limits>
#include <memory>

#include "core/assert.h"
#include "crypto/random.h"

namespace vigie::crypto {
namespace {

// Fetched once: an implicit fetch (EVP_aes_256_gcm()) costs a provider lookup on every init.
// Deliberately never freed, so no static destructor can run after OpenSSL's own atexit cleanup.
const EVP_CIPHER* gcm() {
  static const EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  VIGIE_ASSERT(cipher != nullptr);
  return cipher;
}

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

// One context per thread, re-initialised by each call: no allocation per request, no sharing.
EVP_CIPHER_CTX* thread_ctx() {
  thread_local std::unique_ptr<EVP_CIPHER_CTX, CtxFree> ctx(EVP_CIPHER_CTX_new());
  VIGIE_ASSERT(ctx != nullptr);
  return ctx.get();
}

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* bytes(std::string& s) {
  return reinterpret_cast<unsigned char*>(s.data());
}

constexpr size_t kMaxInput = static_cast<size_t>(std::numeric_limits<int>::max()) - 64;

}  // namespace

std::string seal(const Key& key, std::string_view plaintext, std::string_view aad) {
  VIGIE_ASSERT(plaintext.size() <= kMaxInput && aad.size() <= kMaxInput);
  std::string out = random_bytes(kNonceBytes);
  out.resize(kNonceBytes + plaintext.size() + kTagBytes);
  EVP_CIPHER_CTX* ctx = thread_ctx();
  int len = 0;
  bool ok = EVP_EncryptInit_ex2(ctx, gcm(), key.data(), bytes(out), nullptr) == 1;
  ok = ok &&
       (aad.empty() || EVP_EncryptUpdate(ctx, nullptr, &len, bytes(aad), static_cast<int>(aad.size())) == 1);
  ok = ok && EVP_EncryptUpdate(ctx, bytes(out) + kNonceBytes, &len, bytes(plaintext),
                               static_cast<int>(plaintext.size())) == 1;
  ok = ok && EVP_EncryptFinal_ex(ctx, bytes(out) + kNonceBytes + len, &len) == 1;
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kTagBytes,
                                 bytes(out) + kNonceBytes + plaintext.size()) == 1;
  // Encryption with a valid key and fetched cipher cannot fail short of a broken library.
  VIGIE_ASSERT(ok);
  return out;
}

core::Result<std::string, OpenError> open(const Key& key, std::string_view sealed, std::string_view aad) {
  if (sealed.size() < kNonceBytes + kTagBytes) return core::fail(OpenError::TooShort);
  // Nothing this large was sealed by us; refusing it also keeps the int casts below exact.
  if (sealed.size() > kMaxInput || aad.size() > kMaxInput) return core::fail(OpenError::Forged);
  std::string_view nonce = sealed.substr(0, kNonceBytes);
  std::string_view body = sealed.substr(kNonceBytes, sealed.size() - kNonceBytes - kTagBytes);
  std::string tag(sealed.substr(sealed.size() - kTagBytes));
  std::string out(body.size(), '\0');
  EVP_CIPHER_CTX* ctx = thread_ctx();
  int len = 0;
  bool ok = EVP_DecryptInit_ex2(ctx, gcm(), key.data(), bytes(nonce), nullptr) == 1;
  ok = ok &&
       (aad.empty() || EVP_DecryptUpdate(ctx, nullptr, &len, bytes(aad), static_cast<int>(aad.size())) == 1);
  ok = ok && EVP_DecryptUpdate(ctx, bytes(out), &len, bytes(body), static_cast<int>(body.size())) == 1;
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) == 1;
  // Final is where GCM compares the tag; until it succeeds the bytes in `out` are unauthenticated.
  ok = ok && EVP_DecryptFinal_ex(ctx, bytes(out) + len, &len) == 1;
  if (!ok) {
    OPENSSL_cleanse(out.data(), out.size());
    return core::fail(OpenError::Forged);
  }
  return out;
}

}  // namespace vigie::crypto
