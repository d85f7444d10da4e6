// Verifies a JWT issued by a tracked Issuer: structure and header (jwt::parse), algorithm allowlist,
// Entra tenant rules (multi-tenant {tenantid} issuers, v1 tokens refused unless configured), the
// signing key (refetching the JWKS once on an unknown kid), the signature, then iss/aud/exp/nbf/iat.
// Used for ID tokens at login, bearer tokens on API routes and back-channel logout tokens.
// Stateless apart from the Issuer; runs as a coroutine on a worker.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "jwt/alg.h"
#include "jwt/error.h"
#include "jwt/jws.h"
#include "oidc/issuer.h"

namespace vigie::oidc {

struct VerifyRules {
  std::vector<std::string> audiences;
  std::vector<jwt::Alg> algorithms{jwt::Alg::RS256};
  std::chrono::seconds leeway{60};
  std::vector<std::string> allowed_tenants;  // with a {tenantid} issuer: the tid values accepted
  bool accept_v1 = false;                    // also accept https://sts.windows.net/{tid}/ tokens
  std::optional<std::string> typ;
};

enum class VerifyFailure {
  Token,              // the token itself is bad: see VerifyError::jwt
  IssuerUnavailable,  // no keys yet and the provider cannot be reached
  TenantNotAllowed,   // tid is not in allowed_tenants (multi-tenant issuers)
  V1NotAccepted,      // an Entra v1 token (sts.windows.net) while accept_v1 is off
};

struct VerifyError {
  VerifyFailure kind = VerifyFailure::Token;
  jwt::Error jwt = jwt::Error::Malformed;
  // Stable reason for logs and metrics: jwt_expired, tenant_not_allowed, ...
  [[nodiscard]] std::string_view code() const;
};

[[nodiscard]] boost::asio::awaitable<core::Result<jwt::Jws, VerifyError>> verify_token(std::string_view token,
                                                                                        Issuer& issuer,
                                                                                        const VerifyRules& rules,
                                                                                        int64_t now_unix);

// The tenant segment of an Entra issuer: https://login.microsoftonline.com/<tenant>/v2.0.
[[nodiscard]] std::string_view tenant_of(std::string_view issuer);

// The issuer a token must carry: the configured one, with {tenantid} replaced by the token's tid
// for multi-tenant issuers. Fails when the tenant or token version is not accepted.
[[nodiscard]] core::Result<std::string, VerifyError> expected_issuer(std::string_view iss, std::string_view tid,
                                                                    std::string_view configured,
                                                                    const VerifyRules& rules);

}  // namespace vigie::oidc
