// The policy tools see callers and paths exactly as the proxy does: claims through authn's own
// identity code, targets through the proxy's normaliser, and authentication's refusals first.
#include "cli/proxy_view.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace vigie::cli {
namespace {

TEST(ProxyView, caller_from_claims_is_the_proxys_identity) {
  auto claims = nlohmann::json::parse(R"({"oid":"o1","tid":"t1","preferred_username":"a@x","groups":["g2","g1"],
    "roles":["R"],"department":"ENT","secret":"x"})");
  authz::Caller c = caller_from_claims(claims, config::kAuthBearer, {"department"});
  EXPECT_EQ(c.method, config::kAuthBearer);
  EXPECT_EQ(c.user, "a@x");
  EXPECT_EQ(c.groups, (std::vector<std::string>{"g1", "g2"}));  // sorted, as policies need
  ASSERT_EQ(c.claims.size(), 1u);
  EXPECT_EQ(c.claims[0].first, "department");
}

TEST(ProxyView, paths_are_normalised_or_refused_like_the_proxys) {
  EXPECT_EQ(*normalised_path("/a/./b//c?x=1"), "/a/b/c");
  EXPECT_EQ(*normalised_path("/%7euser"), "/~user");
  auto slash = normalised_path("/api%2Fadmin");
  ASSERT_FALSE(slash);
  EXPECT_NE(slash.error().find("%2F"), std::string::npos) << slash.error();
  EXPECT_FALSE(normalised_path("/../etc"));
}

TEST(ProxyView, authentication_refuses_before_any_policy) {
  config::Route bearer;
  bearer.auth = config::AuthMode::Bearer;
  bearer.bearer.roles = {"Metrics.Read"};
  authz::Caller session;
  auto r = authn_refusal(bearer, session);  // a session on a bearer-only route
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, authz::Outcome::Unauthenticated);
  authz::Caller app;
  app.method = config::kAuthClientCredentials;
  auto scope = authn_refusal(bearer, app);  // a token without the route's role
  ASSERT_TRUE(scope);
  EXPECT_EQ(scope->outcome, authz::Outcome::InsufficientScope);
  app.roles = {"Metrics.Read"};
  EXPECT_FALSE(authn_refusal(bearer, app));
  EXPECT_EQ(auth_mode_name(config::AuthMode::SessionOrBearer), "session_or_bearer");
}

}  // namespace
}  // namespace vigie::cli
