#include "oidc/verifier.h"

#include <algorithm>

#include "jwt/claims.h"

namespace vigie::oidc {
namespace asio = boost::asio;
namespace {

constexpr std::string_view kTenantTemplate = "{tenantid}";
constexpr std::string_view kV1Prefix = "https://sts.windows.net/";

VerifyError token_error(jwt::Error e) { return {VerifyFailure::Token, e}; }

std::string string_claim(const nlohmann::json& payload, const char* name) {
  auto it = payload.find(name);
  return it != payload.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

}  // namespace

std::string_view tenant_of(std::string_view issuer) {
  size_t scheme = issuer.find("://");
  size_t start = issuer.find('/', scheme == std::string_view::npos ? 0 : scheme + 3);
  if (start == std::string_view::npos) return {};
  size_t end = issuer.find('/', start + 1);
  return issuer.substr(start + 1, end == std::string_view::npos ? std::string_view::npos : end - start - 1);
}

std::string_view VerifyError::code() const {
  switch (kind) {
    case VerifyFailure::Token: return jwt::code(jwt);
    case VerifyFailure::IssuerUnavailable: return "issuer_unavailable";
    case VerifyFailure::TenantNotAllowed: return "tenant_not_allowed";
    case VerifyFailure::V1NotAccepted: return "v1_token_not_accepted";
  }
  return "token_invalid";
}

core::Result<std::string, VerifyError> expected_issuer(std::string_view iss, std::string_view tid,
                                                       std::string_view configured, const VerifyRules& rules) {
  bool multi = configured.find(kTenantTemplate) != std::string_view::npos;
  if (iss.starts_with(kV1Prefix) && !std::string_view(configured).starts_with(kV1Prefix)) {
    // Entra v1 tokens use another issuer and claim set; accepting them is a deliberate choice.
    if (!rules.accept_v1) return core::fail(VerifyError{VerifyFailure::V1NotAccepted});
    bool allowed = multi ? std::find(rules.allowed_tenants.begin(), rules.allowed_tenants.end(), tid) !=
                               rules.allowed_tenants.end()
                         : !tid.empty() && tenant_of(configured) == tid;
    if (!allowed) return core::fail(VerifyError{VerifyFailure::TenantNotAllowed});
    return std::string(kV1Prefix) + std::string(tid) + "/";
  }
  if (!multi) return std::string(configured);
  // Multi-tenant: any tenant could sign in, so the tenant list is the real gate.
  if (tid.empty() || std::find(rules.allowed_tenants.begin(), rules.allowed_tenants.end(), tid) ==
                         rules.allowed_tenants.end()) {
    return core::fail(VerifyError{VerifyFailure::TenantNotAllowed});
  }
  std::string out(configured);
  out.replace(out.find(kTenantTemplate), kTenantTemplate.size(), tid);
  return out;
}

asio::awaitable<core::Result<jwt::Jws, VerifyError>> verify_token(std::string_view token, Issuer& issuer,
                                                                  const VerifyRules& rules, int64_t now_unix) {
  auto jws = jwt::parse(token);
  if (!jws) co_return core::fail(token_error(jws.error()));
  if (std::find(rules.algorithms.begin(), rules.algorithms.end(), jws->alg) == rules.algorithms.end()) {
    co_return core::fail(token_error(jwt::Error::AlgNotAllowed));
  }
  auto iss = expected_issuer(string_claim(jws->payload, "iss"), string_claim(jws->payload, "tid"),
                             issuer.settings().issuer, rules);
  if (!iss) co_return core::fail(iss.error());
  auto state = co_await issuer.ready();
  if (!state || state->keys.size() == 0) co_return core::fail(VerifyError{VerifyFailure::IssuerUnavailable});
  auto key = state->keys.select(jws->kid, jws->alg);
  if (!key && key.error() == jwt::Error::UnknownKid) {
    // The provider may have rotated its keys since our last fetch.
    state = co_await issuer.refresh_for_unknown_kid();
    key = state->keys.select(jws->kid, jws->alg);
  }
  if (!key) co_return core::fail(token_error(key.error()));
  if (auto v = jwt::verify_signature(*jws, **key); !v) co_return core::fail(token_error(v.error()));
  jwt::ClaimRules claims{{*iss}, rules.audiences, rules.leeway, rules.typ, false};
  if (auto c = jwt::check_claims(*jws, claims, now_unix); !c) co_return core::fail(token_error(c.error()));
  co_return std::move(*jws);
}

}  // namespace vigie::oidc
