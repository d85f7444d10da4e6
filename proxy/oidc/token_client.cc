#include "oidc/token_client.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "crypto/encoding.h"
#include "crypto/random.h"
#include "jwt/jws.h"
#include "net/http_client.h"

namespace vigie::oidc {
namespace asio = boost::asio;
namespace {

constexpr std::string_view kAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string digest(const EVP_MD* md, const std::string& der) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(der.data(), der.size(), out, &len, md, nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}

// DER of the certificate in a PEM file; throws at load when unusable.
std::string certificate_der(const std::string& file) {
  std::string pem = read_file(file);
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!cert) throw std::runtime_error(file + ": not a PEM certificate");
  unsigned char* der = nullptr;
  int len = i2d_X509(cert, &der);
  X509_free(cert);
  if (len <= 0) throw std::runtime_error(file + ": cannot encode the certificate");
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

std::string basic_credentials(const std::string& id, const std::string& secret) {
  // RFC 6749 §2.3.1: both parts form-encoded before base64.
  return "Basic " + crypto::base64_encode(core::url_encode(id) + ":" + core::url_encode(secret));
}

}  // namespace

TokenClient::TokenClient(const config::Provider& cfg, std::shared_ptr<asio::ssl::context> tls,
                         const core::Clock& clock)
    : cfg_(cfg), tls_(std::move(tls)), clock_(clock) {
  if (cfg.client_auth != config::ClientAuth::PrivateKeyJwt) return;
  auto key = jwt::PrivateKey::from_pem(cfg.private_key->value);
  if (!key || key->kty() != jwt::Kty::Rsa) {
    throw std::runtime_error("identity.provider.private_key (" + cfg.private_key->source + "): not an RSA PEM key");
  }
  key_ = std::move(*key);
  std::string der = certificate_der(cfg.certificate_file);
  x5t_ = crypto::base64url_encode(digest(EVP_sha1(), der));
  x5t_s256_ = crypto::base64url_encode(digest(EVP_sha256(), der));
}

std::string TokenClient::client_assertion(const std::string& audience) const {
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(clock_.wall().time_since_epoch()).count();
  nlohmann::json header = {{"x5t", x5t_}, {"x5t#S256", x5t_s256_}};
  nlohmann::json payload = {{"iss", cfg_.client_id}, {"sub", cfg_.client_id}, {"aud", audience},
                            {"jti", crypto::random_token(16)}, {"iat", now}, {"nbf", now}, {"exp", now + 300}};
  return jwt::sign(*key_, jwt::Alg::RS256, header, payload);
}

asio::awaitable<core::Result<TokenResponse, TokenError>> TokenClient::exchange_code(const Metadata& meta,
                                                                                   const std::string& code,
                                                                                   const std::string& verifier,
                                                                                   const std::string& redirect_uri) const {
  Fields fields;
  fields.emplace_back("grant_type", "authorization_code");
  fields.emplace_back("code", code);
  fields.emplace_back("redirect_uri", redirect_uri);
  fields.emplace_back("code_verifier", verifier);
  co_return co_await call(meta, std::move(fields));
}

asio::awaitable<core::Result<TokenResponse, TokenError>> TokenClient::refresh(const Metadata& meta,
                                                                             const std::string& refresh_token) const {
  std::string scopes;
  for (const auto& s : cfg_.scopes) scopes += (scopes.empty() ? "" : " ") + s;
  Fields fields;
  fields.emplace_back("grant_type", "refresh_token");
  fields.emplace_back("refresh_token", refresh_token);
  fields.emplace_back("scope", scopes);
  co_return co_await call(meta, std::move(fields));
}

asio::awaitable<core::Result<TokenResponse, TokenError>> TokenClient::call(const Metadata& meta, Fields fields) const {
  net::OutboundRequest req;
  auto url = core::parse_url(meta.token_endpoint);
  if (!url) co_return core::fail(TokenError{TokenFailure::Unavailable, {}});
  req.url = *url;
  req.method = "POST";
  req.content_type = "application/x-www-form-urlencoded";
  switch (cfg_.client_auth) {
    case config::ClientAuth::SecretBasic:
      req.headers.emplace_back("Authorization", basic_credentials(cfg_.client_id, cfg_.client_secret->value));
      break;
    case config::ClientAuth::SecretPost:
      fields.emplace_back("client_id", cfg_.client_id);
      fields.emplace_back("client_secret", cfg_.client_secret->value);
      break;
    case config::ClientAuth::PrivateKeyJwt:
      fields.emplace_back("client_id", cfg_.client_id);
      fields.emplace_back("client_assertion_type", kAssertionType);
      fields.emplace_back("client_assertion", client_assertion(meta.token_endpoint));
      break;
    case config::ClientAuth::WorkloadIdentity: {
      std::string token = read_file(cfg_.federated_token_file);
      while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
      if (token.empty()) co_return core::fail(TokenError{TokenFailure::Credential, {}});
      fields.emplace_back("client_id", cfg_.client_id);
      fields.emplace_back("client_assertion_type", kAssertionType);
      fields.emplace_back("client_assertion", token);
      break;
    }
  }
  req.body = net::form_encode(fields);
  auto res = co_await net::fetch(req, *tls_, cfg_.timeout);
  if (!res) co_return core::fail(TokenError{TokenFailure::Unavailable, {}});
  co_return parse_token_response(res->status, res->body);
}

core::Result<TokenResponse, TokenError> parse_token_response(int status, std::string_view body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (status != 200) {
    TokenError e{status >= 500 ? TokenFailure::Unavailable : TokenFailure::Rejected, {}};
    if (j.is_object() && j.contains("error") && j["error"].is_string()) e.oauth_error = j["error"].get<std::string>();
    // Keep only a safe token-like code: the value ends up in logs.
    if (e.oauth_error.size() > 64 || e.oauth_error.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") != std::string::npos) {
      e.oauth_error = "other";
    }
    return core::fail(e);
  }
  if (!j.is_object()) return core::fail(TokenError{TokenFailure::Malformed, {}});
  TokenResponse t;
  auto str = [&](const char* k, std::string& out) {
    if (auto it = j.find(k); it != j.end() && it->is_string()) out = it->get<std::string>();
  };
  str("id_token", t.id_token);
  str("access_token", t.access_token);
  str("refresh_token", t.refresh_token);
  str("scope", t.scope);
  if (auto it = j.find("expires_in"); it != j.end()) {
    if (it->is_number_integer()) t.expires_in = it->get<int64_t>();
    // Entra's v1 endpoints send it as a string.
    else if (it->is_string()) t.expires_in = std::atoll(it->get<std::string>().c_str());
  }
  if (t.access_token.empty()) return core::fail(TokenError{TokenFailure::Malformed, {}});
  return t;
}

}  // namespace vigie::oidc
