#include "jwt/claims.h"

#include <gtest/gtest.h>

#include <functional>

namespace vigie::jwt {
namespace {

using nlohmann::json;

constexpr int64_t kNow = 1'700'000'000;
constexpr int64_t kLeeway = 60;

Jws make_jws(json payload, std::string typ = "JWT") {
  Jws jws;
  jws.header = {{"alg", "RS256"}, {"typ", typ}};
  jws.payload = std::move(payload);
  jws.typ = std::move(typ);
  return jws;
}

json base_payload() {
  return {{"iss", "https://issuer.example"}, {"aud", "vigie"}, {"exp", kNow + 300}, {"iat", kNow - 10}};
}

ClaimRules base_rules() {
  return ClaimRules{
      .issuers = {"https://issuer.example"}, .audiences = {"vigie"}, .leeway = std::chrono::seconds(kLeeway)};
}

struct Case {
  const char* name;
  std::function<void(json&, ClaimRules&, std::string&)> change;
  std::optional<Error> error;  // nullopt: accepted
};

TEST(Claims, table) {
  using P = json&;
  using R = ClaimRules&;
  using T = std::string&;
  const Case cases[] = {
      {"valid", [](P, R, T) {}, std::nullopt},
      // exp
      {"expired_by_one_second", [](P p, R, T) { p["exp"] = kNow - kLeeway - 1; }, Error::Expired},
      {"expired_exactly_at_leeway", [](P p, R, T) { p["exp"] = kNow - kLeeway; }, Error::Expired},
      {"valid_within_leeway", [](P p, R, T) { p["exp"] = kNow - kLeeway + 1; }, std::nullopt},
      {"expired_with_zero_leeway",
       [](P p, R r, T) {
         p["exp"] = kNow;
         r.leeway = {};
       },
       Error::Expired},
      {"fractional_exp_rounds_toward_expiry",
       [](P p, R r, T) {
         p["exp"] = kNow + 0.9;
         r.leeway = {};
       },
       Error::Expired},
      {"exp_missing", [](P p, R, T) { p.erase("exp"); }, Error::MissingClaim},
      {"exp_as_string", [](P p, R, T) { p["exp"] = std::to_string(kNow + 300); }, Error::MissingClaim},
      {"exp_as_bool", [](P p, R, T) { p["exp"] = true; }, Error::MissingClaim},
      {"exp_as_null", [](P p, R, T) { p["exp"] = nullptr; }, Error::MissingClaim},
      {"exp_far_future_unsigned", [](P p, R, T) { p["exp"] = UINT64_MAX; }, std::nullopt},
      {"exp_huge_float", [](P p, R, T) { p["exp"] = 1e300; }, std::nullopt},
      {"exp_huge_negative", [](P p, R, T) { p["exp"] = INT64_MIN; }, Error::Expired},
      // nbf
      {"nbf_in_future", [](P p, R, T) { p["nbf"] = kNow + kLeeway + 1; }, Error::NotYetValid},
      {"nbf_within_leeway", [](P p, R, T) { p["nbf"] = kNow + kLeeway; }, std::nullopt},
      {"nbf_in_past", [](P p, R, T) { p["nbf"] = kNow - 100; }, std::nullopt},
      {"nbf_as_string", [](P p, R, T) { p["nbf"] = "soon"; }, Error::MissingClaim},
      // iat
      {"iat_in_future", [](P p, R, T) { p["iat"] = kNow + kLeeway + 1; }, Error::IssuedInFuture},
      {"iat_within_leeway", [](P p, R, T) { p["iat"] = kNow + kLeeway; }, std::nullopt},
      {"iat_optional_by_default", [](P p, R, T) { p.erase("iat"); }, std::nullopt},
      {"iat_required_and_missing",
       [](P p, R r, T) {
         p.erase("iat");
         r.require_iat = true;
       },
       Error::MissingClaim},
      // iss
      {"wrong_issuer", [](P p, R, T) { p["iss"] = "https://evil.example"; }, Error::WrongIssuer},
      {"issuer_trailing_slash_differs", [](P p, R, T) { p["iss"] = "https://issuer.example/"; },
       Error::WrongIssuer},
      {"issuer_case_differs", [](P p, R, T) { p["iss"] = "https://ISSUER.example"; }, Error::WrongIssuer},
      {"iss_missing", [](P p, R, T) { p.erase("iss"); }, Error::MissingClaim},
      {"iss_as_array", [](P p, R, T) { p["iss"] = json::array({"https://issuer.example"}); },
       Error::MissingClaim},
      {"any_of_several_issuers",
       [](P, R r, T) {
         r.issuers = {"https://a.example", "https://issuer.example"};
       },
       std::nullopt},
      {"empty_issuer_list_skips_the_check",
       [](P p, R r, T) {
         p["iss"] = "https://tenant-x.example";
         r.issuers = {};
       },
       std::nullopt},
      {"empty_issuer_list_still_needs_iss",
       [](P p, R r, T) {
         p.erase("iss");
         r.issuers = {};
       },
       Error::MissingClaim},
      // aud
      {"aud_string_matches", [](P, R, T) {}, std::nullopt},
      {"aud_array_contains_ours",
       [](P p, R, T) {
         p["aud"] = json::array({"other", "vigie"});
       },
       std::nullopt},
      {"aud_array_without_ours",
       [](P p, R, T) {
         p["aud"] = json::array({"other", "api"});
       },
       Error::WrongAudience},
      {"aud_string_differs", [](P p, R, T) { p["aud"] = "other"; }, Error::WrongAudience},
      {"aud_empty_array", [](P p, R, T) { p["aud"] = json::array(); }, Error::WrongAudience},
      {"aud_missing", [](P p, R, T) { p.erase("aud"); }, Error::MissingClaim},
      {"aud_as_number", [](P p, R, T) { p["aud"] = 1; }, Error::MissingClaim},
      {"aud_array_with_number",
       [](P p, R, T) {
         p["aud"] = json::array({"vigie", 1});
       },
       Error::MissingClaim},
      {"aud_is_not_a_prefix_match", [](P p, R, T) { p["aud"] = "vigie-admin"; }, Error::WrongAudience},
      {"empty_audience_list_rejects_everything", [](P, R r, T) { r.audiences = {}; }, Error::WrongAudience},
      // typ
      {"typ_mismatch", [](P, R r, T) { r.typ = "at+jwt"; }, Error::BadTyp},
      {"typ_case_insensitive",
       [](P, R r, T t) {
         r.typ = "at+jwt";
         t = "AT+JWT";
       },
       std::nullopt},
      {"typ_application_prefix",
       [](P, R r, T t) {
         r.typ = "at+jwt";
         t = "application/at+jwt";
       },
       std::nullopt},
      {"typ_missing_when_required",
       [](P, R r, T t) {
         r.typ = "JWT";
         t = "";
       },
       Error::BadTyp},
      {"typ_not_checked_unless_set", [](P, R, T t) { t = "anything"; }, std::nullopt},
  };
  for (const auto& c : cases) {
    json payload = base_payload();
    ClaimRules rules = base_rules();
    std::string typ = "JWT";
    c.change(payload, rules, typ);
    auto result = check_claims(make_jws(payload, typ), rules, kNow);
    if (c.error) {
      ASSERT_FALSE(result) << c.name;
      EXPECT_EQ(result.error(), *c.error) << c.name << ": got " << code(result.error());
    } else {
      EXPECT_TRUE(result) << c.name << ": got " << code(result.error());
    }
  }
}

}  // namespace
}  // namespace vigie::jwt
