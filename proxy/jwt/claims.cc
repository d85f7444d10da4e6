#include "jwt/claims.h"

#include <algorithm>
#include <cmath>

#include "core/strings.h"

namespace vigie::jwt {
namespace {

using nlohmann::json;

// Far beyond any real date, small enough that adding a leeway cannot overflow int64.
constexpr int64_t kTimeBound = int64_t{1} << 40;

enum class Round { Down, Up };

// A NumericDate as whole seconds, clamped; nullopt when absent or not a number. `round` picks
// the stricter side for fractional values: exp rounds down, nbf and iat round up.
core::Result<std::optional<int64_t>, Error> numeric_date(const json& payload, const char* name, Round round) {
  auto it = payload.find(name);
  if (it == payload.end()) return std::optional<int64_t>{};
  if (!it->is_number()) return core::fail(Error::MissingClaim);
  double clamp = static_cast<double>(kTimeBound);
  int64_t value = 0;
  if (it->is_number_unsigned()) {
    value = static_cast<int64_t>(std::min<uint64_t>(it->get<uint64_t>(), kTimeBound));
  } else if (it->is_number_integer()) {
    value = std::clamp<int64_t>(it->get<int64_t>(), -kTimeBound, kTimeBound);
  } else {
    double d = round == Round::Down ? std::floor(it->get<double>()) : std::ceil(it->get<double>());
    value = static_cast<int64_t>(std::clamp(d, -clamp, clamp));
  }
  return std::optional<int64_t>(value);
}

bool typ_matches(std::string_view got, std::string_view want) {
  if (core::starts_with_icase(got, "application/"))
    got.remove_prefix(std::string_view("application/").size());
  return core::iequals(got, want);
}

core::Result<void, Error> check_issuer(const json& payload, const ClaimRules& rules) {
  auto it = payload.find("iss");
  if (it == payload.end() || !it->is_string()) return core::fail(Error::MissingClaim);
  if (rules.issuers.empty()) return {};
  const auto& iss = it->get_ref<const std::string&>();
  // Exact comparison: issuers are URLs whose case and trailing slash are significant (OIDC §3.1.3.7).
  if (std::find(rules.issuers.begin(), rules.issuers.end(), iss) == rules.issuers.end()) {
    return core::fail(Error::WrongIssuer);
  }
  return {};
}

core::Result<void, Error> check_audience(const json& payload, const ClaimRules& rules) {
  auto it = payload.find("aud");
  if (it == payload.end()) return core::fail(Error::MissingClaim);
  auto accepted = [&](const json& v) {
    return std::find(rules.audiences.begin(), rules.audiences.end(), v.get_ref<const std::string&>()) !=
           rules.audiences.end();
  };
  if (it->is_string()) {
    if (!accepted(*it)) return core::fail(Error::WrongAudience);
    return {};
  }
  if (!it->is_array()) return core::fail(Error::MissingClaim);
  bool found = false;
  for (const auto& v : *it) {
    if (!v.is_string()) return core::fail(Error::MissingClaim);
    found = found || accepted(v);
  }
  if (!found) return core::fail(Error::WrongAudience);
  return {};
}

core::Result<void, Error> check_times(const json& payload, const ClaimRules& rules, int64_t now) {
  int64_t leeway = std::clamp<int64_t>(rules.leeway.count(), 0, kTimeBound);
  now = std::clamp(now, -kTimeBound, kTimeBound);
  auto exp = numeric_date(payload, "exp", Round::Down);
  auto nbf = numeric_date(payload, "nbf", Round::Up);
  auto iat = numeric_date(payload, "iat", Round::Up);
  if (!exp || !nbf || !iat) return core::fail(Error::MissingClaim);
  // A token without exp would be valid forever once leaked.
  if (!*exp || (rules.require_iat && !*iat)) return core::fail(Error::MissingClaim);
  // exp is the first instant the token is no longer valid (RFC 7519 §4.1.4), hence <=.
  if (**exp + leeway <= now) return core::fail(Error::Expired);
  if (*nbf && **nbf - leeway > now) return core::fail(Error::NotYetValid);
  if (*iat && **iat - leeway > now) return core::fail(Error::IssuedInFuture);
  return {};
}

}  // namespace

core::Result<void, Error> check_claims(const Jws& jws, const ClaimRules& rules, int64_t now_unix) {
  if (rules.typ && !typ_matches(jws.typ, *rules.typ)) return core::fail(Error::BadTyp);
  if (auto r = check_issuer(jws.payload, rules); !r) return r;
  if (auto r = check_audience(jws.payload, rules); !r) return r;
  return check_times(jws.payload, rules, now_unix);
}

}  // namespace vigie::jwt
