#include "oidc/metadata.h"

#include <nlohmann/json.hpp>

#include "core/url.h"

namespace vigie::oidc {
namespace {

bool usable(const std::string& url) {
  auto u = core::parse_url(url);
  return u && (u->tls || core::is_loopback_host(u->host));
}

}  // namespace

std::string_view describe(MetadataError e) {
  switch (e) {
    case MetadataError::Malformed: return "discovery document is not a JSON object";
    case MetadataError::MissingField: return "discovery document lacks a required endpoint";
    case MetadataError::BadEndpoint: return "discovery document names a non-https endpoint";
    case MetadataError::IssuerMismatch: return "discovery document is for another issuer";
    case MetadataError::NoS256: return "provider does not support PKCE S256";
  }
  return "invalid discovery document";
}

core::Result<Metadata, MetadataError> parse_metadata(std::string_view text, std::string_view expected_issuer) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return core::fail(MetadataError::Malformed);
  auto str = [&](const char* key) -> std::optional<std::string> {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  auto issuer = str("issuer"), auth = str("authorization_endpoint"), token = str("token_endpoint"),
       jwks = str("jwks_uri");
  if (!issuer || !auth || !token || !jwks) return core::fail(MetadataError::MissingField);
  Metadata m{*issuer, *auth, *token, *jwks, str("end_session_endpoint").value_or("")};
  // Discovery §4.3: a document for another issuer would let it mint tokens we then accept.
  std::string_view got = m.issuer;
  if (got.ends_with("/") && !expected_issuer.ends_with("/")) got.remove_suffix(1);
  if (got != expected_issuer) return core::fail(MetadataError::IssuerMismatch);
  for (const auto* url : {&m.authorization_endpoint, &m.token_endpoint, &m.jwks_uri}) {
    if (!usable(*url)) return core::fail(MetadataError::BadEndpoint);
  }
  if (!m.end_session_endpoint.empty() && !usable(m.end_session_endpoint)) m.end_session_endpoint.clear();
  auto methods = j.find("code_challenge_methods_supported");
  if (methods != j.end() && methods->is_array()) {
    bool s256 = false;
    for (const auto& v : *methods) s256 = s256 || (v.is_string() && v.get<std::string>() == "S256");
    if (!s256) return core::fail(MetadataError::NoS256);
  }
  return m;
}

}  // namespace vigie::oidc
