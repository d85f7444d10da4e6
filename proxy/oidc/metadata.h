// The provider's discovery document (OpenID Connect Discovery 1.0), reduced to what Vigie uses.
// Parsed from untrusted bytes fetched over HTTPS; immutable afterwards and shared by workers.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace vigie::oidc {

struct Metadata {
  std::string issuer;
  std::string authorization_endpoint;
  std::string token_endpoint;
  std::string jwks_uri;
  std::string end_session_endpoint;  // may be empty
};

enum class MetadataError {
  Malformed,       // not a JSON object
  MissingField,    // issuer, authorization_endpoint, token_endpoint or jwks_uri absent or not a string
  BadEndpoint,     // an endpoint is not https (plain http only on loopback)
  IssuerMismatch,  // the document's issuer is not the configured one (OIDC Discovery §4.3)
  NoS256,          // code_challenge_methods_supported is listed without S256
};

[[nodiscard]] std::string_view describe(MetadataError e);

// `expected_issuer` may hold Entra's "{tenantid}" template; it must then match the template as
// published by the multi-tenant endpoints.
[[nodiscard]] core::Result<Metadata, MetadataError> parse_metadata(std::string_view json,
                                                                   std::string_view expected_issuer);

}  // namespace vigie::oidc
