// Internal to the jwt module: owning handles for OpenSSL objects and small byte helpers shared by
// key.cc and jws.cc. Not part of the API; any thread.
#pragma once

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <memory>
#include <string>
#include <string_view>

namespace vigie::jwt::ossl {

template <auto Fn>
struct Deleter {
  template <class T>
  void operator()(T* p) const {
    Fn(p);
  }
};

using Pkey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using Bn = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using ParamBld = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM_free>>;

inline std::shared_ptr<EVP_PKEY> share(Pkey p) {
  return {p.release(), EVP_PKEY_free};
}

inline const unsigned char* u8(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
inline unsigned char* u8(std::string& s) {
  return reinterpret_cast<unsigned char*>(s.data());
}

// A failed OpenSSL call leaves entries in the thread's error queue. Asio's TLS code on the same
// worker reads that queue (SSL_get_error), so a stale entry could fail an unrelated connection:
// every failure path that we turn into a Result clears it.
template <class E>
E cleared(E e) {
  ERR_clear_error();
  return e;
}

// Big-endian magnitude of a BIGNUM, minimal length (or left-padded to `width` when > 0).
inline std::string bn_bytes(const BIGNUM* bn, int width = 0) {
  int n = width > 0 ? width : BN_num_bytes(bn);
  std::string out(static_cast<size_t>(n), '\0');
  if (width > 0)
    BN_bn2binpad(bn, u8(out), width);
  else
    BN_bn2bin(bn, u8(out));
  return out;
}

}  // namespace vigie::jwt::ossl
