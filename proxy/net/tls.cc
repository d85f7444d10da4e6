#include "net/tls.h"

#include <openssl/ssl.h>

#include <cstring>
#include <stdexcept>

namespace vigie::net {
namespace ssl = boost::asio::ssl;
namespace {

// TLS 1.2 suites: forward-secret ECDHE with AEAD only (Mozilla "intermediate"); TLS 1.3 suites are
// all AEAD and keep OpenSSL's defaults.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned inlen,
                void*) {
  static const unsigned char kHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, outlen, kHttp11, sizeof kHttp11, in, inlen) != OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_ALERT_FATAL;  // the client offers only protocols we do not speak (h2)
  }
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

void harden(ssl::context& ctx) {
  SSL_CTX* c = ctx.native_handle();
  SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
  SSL_CTX_set_options(c, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_set_cipher_list(c, kTls12Ciphers) != 1) throw std::runtime_error("cannot set TLS 1.2 ciphers");
}

}  // namespace

std::shared_ptr<ssl::context> make_server_context(const std::string& cert_file, const std::string& key_file) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  harden(*ctx);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(cert_file, ec);
  if (ec) throw std::runtime_error("cannot load certificate " + cert_file + ": " + ec.message());
  ctx->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) throw std::runtime_error("cannot load private key " + key_file + ": " + ec.message());
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    throw std::runtime_error("private key " + key_file + " does not match certificate " + cert_file);
  }
  SSL_CTX_set_alpn_select_cb(ctx->native_handle(), select_alpn, nullptr);
  return ctx;
}

std::shared_ptr<ssl::context> make_client_context(const std::string& ca_file) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  harden(*ctx);
  boost::system::error_code ec;
  if (ca_file.empty()) ctx->set_default_verify_paths(ec);
  else ctx->load_verify_file(ca_file, ec);
  if (ec) throw std::runtime_error("cannot load CA certificates " + ca_file + ": " + ec.message());
  ctx->set_verify_mode(ssl::verify_peer);
  static const unsigned char kHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(ctx->native_handle(), kHttp11, sizeof kHttp11);
  return ctx;
}

}  // namespace vigie::net
