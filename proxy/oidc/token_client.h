// Talks to the provider's token endpoint: authorization-code exchange (with the PKCE verifier) and
// refresh. Authenticates Vigie as the client with a secret (basic or post), a private_key_jwt
// assertion signed with Vigie's certificate key, or a workload-identity federated token read from
// its file at each call (Kubernetes rotates it). Immutable after construction; any worker.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <optional>
#include <string>

#include "config/identity.h"
#include "core/clock.h"
#include "core/result.h"
#include "jwt/key.h"
#include "oidc/metadata.h"

namespace vigie::oidc {

struct TokenResponse {
  std::string id_token;
  std::string access_token;
  std::string refresh_token;  // empty when the provider did not issue one
  int64_t expires_in = 0;
  std::string scope;
};

enum class TokenFailure {
  Unavailable,  // the endpoint could not be reached or timed out
  Rejected,     // an OAuth error (invalid_grant, invalid_client, ...): see TokenError::oauth_error
  Malformed,    // a 200 that is not the JSON the spec requires
  Credential,   // Vigie's own client credential could not be built (key or token file unreadable)
};

struct TokenError {
  TokenFailure kind = TokenFailure::Unavailable;
  std::string oauth_error;  // the provider's "error" code when Rejected; never its description
};

class TokenClient {
 public:
  // Throws std::runtime_error at config load when the private key or certificate is unusable.
  TokenClient(const config::Provider& cfg, std::shared_ptr<boost::asio::ssl::context> tls,
              const core::Clock& clock = core::SystemClock::instance());

  [[nodiscard]] boost::asio::awaitable<core::Result<TokenResponse, TokenError>> exchange_code(
      const Metadata& meta, const std::string& code, const std::string& verifier, const std::string& redirect_uri) const;
  [[nodiscard]] boost::asio::awaitable<core::Result<TokenResponse, TokenError>> refresh(
      const Metadata& meta, const std::string& refresh_token) const;

  // The client assertion for private_key_jwt (exposed for tests).
  [[nodiscard]] std::string client_assertion(const std::string& audience) const;

 private:
  using Fields = std::vector<std::pair<std::string, std::string>>;
  [[nodiscard]] boost::asio::awaitable<core::Result<TokenResponse, TokenError>> call(const Metadata& meta,
                                                                                     Fields fields) const;

  const config::Provider& cfg_;  // owned by the snapshot's Config, which outlives the client
  std::shared_ptr<boost::asio::ssl::context> tls_;
  const core::Clock& clock_;
  std::optional<jwt::PrivateKey> key_;
  std::string x5t_;       // base64url SHA-1 thumbprint of the certificate (Entra's x5t)
  std::string x5t_s256_;  // base64url SHA-256 thumbprint
};

[[nodiscard]] core::Result<TokenResponse, TokenError> parse_token_response(int status, std::string_view body);

}  // namespace vigie::oidc
