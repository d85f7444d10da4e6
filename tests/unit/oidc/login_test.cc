#include "oidc/login.h"

#include <gtest/gtest.h>

#include "crypto/random.h"

namespace vigie::oidc {
namespace {

session::KeyRing ring() {
  crypto::Key k;
  std::string r = crypto::random_bytes(32);
  std::copy(r.begin(), r.end(), k.begin());
  return session::KeyRing::from_keys({k});
}

TEST(Login, pkce_challenge_matches_rfc7636_appendix_b) {
  EXPECT_EQ(pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST(Login, new_login_values_are_random_and_long_enough) {
  auto a = new_login("/", 100), b = new_login("/", 100);
  EXPECT_NE(a.state, b.state);
  EXPECT_NE(a.nonce, b.nonce);
  EXPECT_EQ(a.verifier.size(), 43u);  // RFC 7636: 43..128 characters
}

TEST(Login, sealed_state_round_trip_and_rejections) {
  auto keys = ring();
  LoginState s = new_login("/openmrs/", 1000);
  std::string sealed = seal_login(keys, s);
  auto back = open_login(keys, sealed, s.state, 1010, 600);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->verifier, s.verifier);
  EXPECT_EQ(back->return_to, "/openmrs/");
  EXPECT_EQ(open_login(keys, sealed, "another-state", 1010, 600).error(), LoginError::StateMismatch);
  EXPECT_EQ(open_login(keys, sealed, s.state, 1601, 600).error(), LoginError::Expired);
  EXPECT_EQ(open_login(ring(), sealed, s.state, 1010, 600).error(), LoginError::Invalid);
  // A session cookie sealed with the same keys is not a login state (purpose binding).
  EXPECT_EQ(open_login(keys, session::seal(keys, "vigie", "{}"), s.state, 1010, 600).error(), LoginError::Invalid);
}

TEST(Login, cookie_name_carries_the_state_prefix) {
  EXPECT_EQ(login_cookie_name("vigie", "abcdefghijklmnopqrstuvwxyz"), "vigie_login_abcdefghijklmnop");
}

TEST(Login, authorize_url_has_pkce_state_and_nonce) {
  Metadata m{"https://idp/t/v2.0", "https://idp/t/oauth2/v2.0/authorize", "", "", ""};
  LoginState s = new_login("/", 1);
  std::string url = authorize_url(m, {"cid", "https://app/oauth2/callback", {"openid", "email"}, "", ""}, s);
  EXPECT_TRUE(url.starts_with("https://idp/t/oauth2/v2.0/authorize?response_type=code&client_id=cid"));
  EXPECT_NE(url.find("&redirect_uri=https%3A%2F%2Fapp%2Foauth2%2Fcallback"), std::string::npos);
  EXPECT_NE(url.find("&scope=openid%20email"), std::string::npos);
  EXPECT_NE(url.find("&state=" + s.state), std::string::npos);
  EXPECT_NE(url.find("&nonce=" + s.nonce), std::string::npos);
  EXPECT_NE(url.find("&code_challenge=" + pkce_challenge(s.verifier) + "&code_challenge_method=S256"),
            std::string::npos);
}

struct RedirectCase {
  const char* name;
  const char* rd;
  const char* expected;  // nullptr: refused
};

class ReturnTo : public ::testing::TestWithParam<RedirectCase> {};

TEST_P(ReturnTo, only_safe_destinations) {
  const auto& c = GetParam();
  auto got = safe_return_to(c.rd, "openmrs.clinic.fr", {"grafana.clinic.fr", "*.ops.clinic.fr"});
  if (c.expected) {
    ASSERT_TRUE(got) << c.rd;
    EXPECT_EQ(*got, c.expected);
  } else {
    EXPECT_FALSE(got) << c.rd << " -> " << got.value_or("");
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ReturnTo,
    ::testing::Values(RedirectCase{"relative_path", "/openmrs/spa/home?x=1", "/openmrs/spa/home?x=1"},
                      RedirectCase{"same_host_absolute", "https://openmrs.clinic.fr/a", "https://openmrs.clinic.fr/a"},
                      RedirectCase{"allowed_host", "https://grafana.clinic.fr/d/x", "https://grafana.clinic.fr/d/x"},
                      RedirectCase{"allowed_wildcard", "https://alloy.ops.clinic.fr/", "https://alloy.ops.clinic.fr/"},
                      RedirectCase{"wildcard_needs_a_label", "https://ops.clinic.fr/", nullptr},
                      RedirectCase{"protocol_relative", "//evil.example/", nullptr},
                      RedirectCase{"backslash_host", "/\\evil.example/", nullptr},
                      RedirectCase{"backslash_anywhere", "/a\\b", nullptr},
                      RedirectCase{"encoded_slashes", "/%2F%2Fevil.example", nullptr},
                      RedirectCase{"encoded_backslash", "/%5Cevil.example", nullptr},
                      RedirectCase{"tab_trick", "/\t/evil.example", nullptr},
                      RedirectCase{"encoded_newline", "/%0a/evil.example", nullptr},
                      RedirectCase{"other_host", "https://evil.example/", nullptr},
                      RedirectCase{"suffix_lookalike", "https://evilgrafana.clinic.fr/", nullptr},
                      RedirectCase{"userinfo_trick", "https://grafana.clinic.fr@evil.example/", nullptr},
                      RedirectCase{"javascript", "javascript:alert(1)", nullptr},
                      RedirectCase{"scheme_relative_http", "http:evil.example", nullptr},
                      RedirectCase{"empty", "", nullptr},
                      RedirectCase{"bad_escape", "/%zz", nullptr}),
    [](const auto& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace vigie::oidc
