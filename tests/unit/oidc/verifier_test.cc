#include "oidc/verifier.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "jwt/jws.h"
#include "jwt/key.h"
#include "unit/oidc/json_server.h"

namespace vigie::oidc {
namespace {

namespace asio = boost::asio;
using nlohmann::json;

const int64_t kNow = 1'800'000'000;

struct Bed {
  testing::JsonServer server;
  jwt::PrivateKey key = jwt::PrivateKey::generate_rsa();
  core::FakeClock clock;
  Bed() { server.set("/keys", 200, json{{"keys", {key.public_jwk("k1")}}}.dump()); }
  std::unique_ptr<Issuer> issuer(const std::string& iss) {
    return std::make_unique<Issuer>(IssuerSettings{iss, "", server.url("/keys"), "", std::chrono::seconds(2),
                                                   std::chrono::hours(1)},
                                    clock);
  }
  std::string token(json payload, std::string kid = "k1") {
    return jwt::sign(key, jwt::Alg::RS256, {{"kid", kid}}, payload);
  }
};

core::Result<jwt::Jws, VerifyError> verify(const std::string& token, Issuer& issuer, const VerifyRules& rules) {
  std::optional<core::Result<jwt::Jws, VerifyError>> out;
  asio::io_context io;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> { out = co_await verify_token(token, issuer, rules, kNow); },
                 asio::detached);
  io.run();
  return std::move(*out);
}

json claims(const std::string& iss, const std::string& tid = "t1") {
  return {{"iss", iss}, {"aud", "api://vigie"}, {"exp", kNow + 600}, {"iat", kNow}, {"tid", tid}, {"oid", "o1"}};
}

TEST(Verifier, single_tenant_token_verifies) {
  Bed bed;
  auto issuer = bed.issuer("https://login.microsoftonline.com/t1/v2.0");
  VerifyRules rules{.audiences = {"api://vigie"}};
  auto ok = verify(bed.token(claims("https://login.microsoftonline.com/t1/v2.0")), *issuer, rules);
  ASSERT_TRUE(ok) << ok.error().code();
  EXPECT_EQ(ok->payload["oid"], "o1");
}

TEST(Verifier, rejection_codes) {
  Bed bed;
  const std::string iss = "https://login.microsoftonline.com/t1/v2.0";
  auto issuer = bed.issuer(iss);
  VerifyRules rules{.audiences = {"api://vigie"}};
  auto other = jwt::PrivateKey::generate_rsa();
  json expired = claims(iss);
  expired["exp"] = kNow - 61;
  json wrong_aud = claims(iss);
  wrong_aud["aud"] = "api://other";
  struct Case {
    std::string name, token, code;
  };
  for (const auto& c : std::vector<Case>{
           {"expired", bed.token(expired), "jwt_expired"},
           {"wrong_audience", bed.token(wrong_aud), "jwt_wrong_audience"},
           {"wrong_issuer", bed.token(claims("https://login.microsoftonline.com/t2/v2.0")), "jwt_wrong_issuer"},
           {"other_key_same_kid", jwt::sign(other, jwt::Alg::RS256, {{"kid", "k1"}}, claims(iss)), "jwt_bad_signature"},
           {"unknown_kid", bed.token(claims(iss), "k9"), "jwt_unknown_kid"},
           {"ps256_not_allowed", jwt::sign(bed.key, jwt::Alg::PS256, {{"kid", "k1"}}, claims(iss)), "jwt_alg_not_allowed"},
           {"v1_token", bed.token(claims("https://sts.windows.net/t1/")), "v1_token_not_accepted"},
           {"garbage", "a.b.c", "jwt_malformed"}}) {
    auto r = verify(c.token, *issuer, rules);
    ASSERT_FALSE(r) << c.name;
    EXPECT_EQ(r.error().code(), c.code) << c.name;
  }
}

TEST(Verifier, multi_tenant_issuer_checks_the_tenant_list) {
  Bed bed;
  auto issuer = bed.issuer("https://login.microsoftonline.com/{tenantid}/v2.0");
  VerifyRules rules{.audiences = {"api://vigie"}, .allowed_tenants = {"t1"}};
  EXPECT_TRUE(verify(bed.token(claims("https://login.microsoftonline.com/t1/v2.0", "t1")), *issuer, rules));
  auto other = verify(bed.token(claims("https://login.microsoftonline.com/t2/v2.0", "t2")), *issuer, rules);
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code(), "tenant_not_allowed");
  // The tid must agree with the issuer it names.
  auto mixed = verify(bed.token(claims("https://login.microsoftonline.com/t2/v2.0", "t1")), *issuer, rules);
  ASSERT_FALSE(mixed);
  EXPECT_EQ(mixed.error().code(), "jwt_wrong_issuer");
}

TEST(Verifier, v1_tokens_only_when_accepted) {
  Bed bed;
  auto issuer = bed.issuer("https://login.microsoftonline.com/t1/v2.0");
  VerifyRules rules{.audiences = {"api://vigie"}, .accept_v1 = true};
  EXPECT_TRUE(verify(bed.token(claims("https://sts.windows.net/t1/")), *issuer, rules));
  // Only from the configured tenant: another tenant's v1 token for the same audience is refused.
  auto foreign = verify(bed.token(claims("https://sts.windows.net/t2/", "t2")), *issuer, rules);
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().code(), "tenant_not_allowed");
}

TEST(Verifier, unreachable_keys_are_issuer_unavailable) {
  Bed bed;
  bed.server.set("/keys", 503, "");
  auto issuer = bed.issuer("https://login.microsoftonline.com/t1/v2.0");
  auto r = verify(bed.token(claims("https://login.microsoftonline.com/t1/v2.0")), *issuer, {.audiences = {"api://vigie"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), "issuer_unavailable");
}

}  // namespace
}  // namespace vigie::oidc
