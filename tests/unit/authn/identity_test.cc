#include "authn/identity.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace vigie::authn {
namespace {

TEST(Identity, entra_user_claims) {
  auto c = nlohmann::json::parse(R"({"iss":"i","oid":"o","tid":"t","sub":"s","name":"N","email":"e",
    "preferred_username":"p@x","groups":["g1","g2"],"roles":["r"],"scp":"User.Read  Patient.Read","azp":"app",
    "uti":"u1","exp":123})");
  Identity id = identity_from_claims(c, Method::Bearer);
  EXPECT_EQ(id.key(), "o@t");
  EXPECT_EQ(id.user(), "p@x");
  EXPECT_EQ(id.groups, (std::vector<std::string>{"g1", "g2"}));
  EXPECT_EQ(id.scopes, (std::vector<std::string>{"User.Read", "Patient.Read"}));
  EXPECT_EQ(id.client_id, "app");
  EXPECT_EQ(id.token_id, "u1");
  EXPECT_EQ(id.expires, 123);
  EXPECT_TRUE(id.has_role("r"));
  EXPECT_TRUE(id.in_group("g2"));
  EXPECT_FALSE(id.has_scope("User"));
}

TEST(Identity, service_principal_and_fallbacks) {
  auto c = nlohmann::json::parse(R"({"sub":"sp","appid":"daemon","roles":["Metrics.Read"],"jti":"j","groups":"x"})");
  Identity id = identity_from_claims(c, Method::ClientCredentials);
  EXPECT_EQ(id.oid, "sp");  // no oid: the subject
  EXPECT_EQ(id.user(), "sp");
  EXPECT_EQ(id.client_id, "daemon");
  EXPECT_EQ(id.token_id, "j");
  EXPECT_TRUE(id.groups.empty());  // a non-array claim is ignored, not trusted
  EXPECT_EQ(name(id.method), "client_credentials");
}

TEST(Identity, groups_and_roles_sorted_and_policy_claims_kept_as_strings) {
  auto c = nlohmann::json::parse(R"({"oid":"o","groups":["g2","g1"],"roles":["z","a"],"department":"ENT",
    "wids":["w1",7],"acct":0,"secret":"not kept"})");
  Identity id = identity_from_claims(c, Method::Session, {"acct", "absent", "department", "wids"});
  EXPECT_EQ(id.groups, (std::vector<std::string>{"g1", "g2"}));
  EXPECT_EQ(id.roles, (std::vector<std::string>{"a", "z"}));
  using Claims = std::vector<std::pair<std::string, std::vector<std::string>>>;
  EXPECT_EQ(id.claims, (Claims{{"acct", {"0"}}, {"department", {"ENT"}}, {"wids", {"w1", "7"}}}));
}

TEST(Identity, groups_overage_detection) {
  EXPECT_TRUE(groups_overage(nlohmann::json::parse(R"({"_claim_names":{"groups":"src1"}})")));
  EXPECT_TRUE(groups_overage(nlohmann::json::parse(R"({"hasgroups":true})")));
  EXPECT_FALSE(groups_overage(nlohmann::json::parse(R"({"groups":[],"_claim_names":{"groups":"src1"}})")));
  EXPECT_FALSE(groups_overage(nlohmann::json::parse(R"({"hasgroups":false})")));
  EXPECT_FALSE(groups_overage(nlohmann::json::parse(R"({})")));
}

}  // namespace
}  // namespace vigie::authn
