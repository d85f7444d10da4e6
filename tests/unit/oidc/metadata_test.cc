#include "oidc/metadata.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace vigie::oidc {
namespace {

const std::string kIssuer = "https://login.microsoftonline.com/t1/v2.0";

nlohmann::json entra() {
  return {{"issuer", kIssuer},
          {"authorization_endpoint", "https://login.microsoftonline.com/t1/oauth2/v2.0/authorize"},
          {"token_endpoint", "https://login.microsoftonline.com/t1/oauth2/v2.0/token"},
          {"jwks_uri", "https://login.microsoftonline.com/t1/discovery/v2.0/keys"},
          {"end_session_endpoint", "https://login.microsoftonline.com/t1/oauth2/v2.0/logout"},
          {"code_challenge_methods_supported", {"plain", "S256"}}};
}

TEST(Metadata, entra_document_parses) {
  auto m = parse_metadata(entra().dump(), kIssuer);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->token_endpoint, "https://login.microsoftonline.com/t1/oauth2/v2.0/token");
  EXPECT_EQ(m->end_session_endpoint, "https://login.microsoftonline.com/t1/oauth2/v2.0/logout");
}

TEST(Metadata, multi_tenant_template_matches_literally) {
  auto doc = entra();
  doc["issuer"] = "https://login.microsoftonline.com/{tenantid}/v2.0";
  EXPECT_TRUE(parse_metadata(doc.dump(), "https://login.microsoftonline.com/{tenantid}/v2.0"));
}

TEST(Metadata, rejections) {
  struct Case {
    const char* name;
    std::function<void(nlohmann::json&)> change;
    MetadataError error;
  };
  std::vector<Case> cases = {
      {"issuer_of_another_tenant", [](auto& j) { j["issuer"] = "https://login.microsoftonline.com/t2/v2.0"; },
       MetadataError::IssuerMismatch},
      {"no_token_endpoint", [](auto& j) { j.erase("token_endpoint"); }, MetadataError::MissingField},
      {"jwks_uri_not_string", [](auto& j) { j["jwks_uri"] = 5; }, MetadataError::MissingField},
      {"plain_http_endpoint", [](auto& j) { j["token_endpoint"] = "http://login.example/token"; },
       MetadataError::BadEndpoint},
      {"no_s256", [](auto& j) { j["code_challenge_methods_supported"] = {"plain"}; }, MetadataError::NoS256},
  };
  for (const auto& c : cases) {
    auto doc = entra();
    c.change(doc);
    auto m = parse_metadata(doc.dump(), kIssuer);
    ASSERT_FALSE(m) << c.name;
    EXPECT_EQ(m.error(), c.error) << c.name;
  }
  EXPECT_EQ(parse_metadata("[1]", kIssuer).error(), MetadataError::Malformed);
  EXPECT_EQ(parse_metadata("{", kIssuer).error(), MetadataError::Malformed);
}

TEST(Metadata, loopback_http_allowed_and_unusable_end_session_dropped) {
  auto doc = entra();
  doc["issuer"] = "http://127.0.0.1:9/t/v2.0";
  doc["token_endpoint"] = "http://127.0.0.1:9/t/token";
  doc["end_session_endpoint"] = "http://logout.example/";
  auto m = parse_metadata(doc.dump(), "http://127.0.0.1:9/t/v2.0");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->end_session_endpoint, "");
}

}  // namespace
}  // namespace vigie::oidc
