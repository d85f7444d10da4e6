// What the proxy would make of a caller and a request, for the policy tools: token claims to the
// caller (authn::identity_from_claims, then http::subject_of, as authentication and the Authorize
// stage do), a request target to its normalised path (http::normalise_target), and the refusals of
// authentication that come before any policy. Kept in one place so the tools cannot drift from the
// proxy. CLI thread only.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "authz/explain.h"
#include "authz/policy_test.h"
#include "config/config.h"
#include "core/result.h"

namespace vigie::cli {

// `claims`: an object of token claims; `method`: a config::AuthMethodBit; `kept`: the claims the
// policies test (authz::policy_claim_names), copied into the caller for claims: criteria.
[[nodiscard]] authz::Caller caller_from_claims(const nlohmann::json& claims, uint8_t method,
                                               const std::vector<std::string>& kept);

// "/a/./b?x" -> "/a/b"; the error names why the proxy would answer 400.
[[nodiscard]] core::Result<std::string, std::string> normalised_path(std::string_view target);

// Hooks for authz::run_policy_tests, built from the two functions above.
[[nodiscard]] authz::TestHooks test_hooks();

// Authentication refuses before the policy runs when the route does not take this kind of caller,
// or when a bearer route's required roles or scopes are missing.
struct Refusal {
  authz::Outcome outcome;  // Unauthenticated or InsufficientScope
  std::string note;
};
[[nodiscard]] std::optional<Refusal> authn_refusal(const config::Route& route, const authz::Caller& caller);

// The route's auth mode as written in the config.
[[nodiscard]] std::string_view auth_mode_name(config::AuthMode m);

}  // namespace vigie::cli
