#include "oidc/token_client.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "jwt/jws.h"
#include "net/tls.h"
#include "support/vigie_process.h"

namespace vigie::oidc {
namespace {

TEST(TokenResponse, success_and_oauth_errors) {
  auto ok = parse_token_response(200, R"({"access_token":"at","id_token":"it","refresh_token":"rt","expires_in":3599})");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->refresh_token, "rt");
  EXPECT_EQ(ok->expires_in, 3599);
  EXPECT_EQ(parse_token_response(200, R"({"access_token":"at","expires_in":"3600"})")->expires_in, 3600);
  auto rejected = parse_token_response(400, R"({"error":"invalid_grant","error_description":"AADSTS70008: expired"})");
  ASSERT_FALSE(rejected);
  EXPECT_EQ(rejected.error().kind, TokenFailure::Rejected);
  EXPECT_EQ(rejected.error().oauth_error, "invalid_grant");
  // Only safe codes reach the logs.
  EXPECT_EQ(parse_token_response(400, R"({"error":"<script>"})").error().oauth_error, "other");
  EXPECT_EQ(parse_token_response(503, "").error().kind, TokenFailure::Unavailable);
  EXPECT_EQ(parse_token_response(200, "{}").error().kind, TokenFailure::Malformed);
  EXPECT_EQ(parse_token_response(200, "not json").error().kind, TokenFailure::Malformed);
}

TEST(TokenClient, private_key_jwt_assertion_names_the_certificate) {
  // Entra wants an RSA certificate credential.
  std::string dir = testing::make_temp_dir();
  std::string out;
  ASSERT_EQ(testing::run_command("openssl req -x509 -newkey rsa:2048 -nodes -keyout " + dir + "/key.pem -out " + dir +
                                     "/cert.pem -subj /CN=vigie -days 1",
                                 &out),
            0)
      << out;
  struct {
    std::string key_file, cert_file;
  } pki{dir + "/key.pem", dir + "/cert.pem"};
  std::ifstream in(pki.key_file);
  std::stringstream pem;
  pem << in.rdbuf();
  config::Provider p;
  p.client_id = "cid";
  p.client_auth = config::ClientAuth::PrivateKeyJwt;
  p.private_key = config::Secret{"file " + pki.key_file, pem.str()};
  p.certificate_file = pki.cert_file;
  TokenClient client(p, net::make_client_context(""));
  std::string assertion = client.client_assertion("https://idp/token");
  auto jws = jwt::parse(assertion);
  ASSERT_TRUE(jws);
  EXPECT_EQ(jws->alg, jwt::Alg::RS256);
  EXPECT_EQ(jws->header["x5t"].get<std::string>().size(), 27u);        // SHA-1, base64url
  EXPECT_EQ(jws->header["x5t#S256"].get<std::string>().size(), 43u);   // SHA-256, base64url
  EXPECT_EQ(jws->payload["iss"], "cid");
  EXPECT_EQ(jws->payload["sub"], "cid");
  EXPECT_EQ(jws->payload["aud"], "https://idp/token");
  EXPECT_EQ(jws->payload["exp"].get<int64_t>() - jws->payload["iat"].get<int64_t>(), 300);
  auto key = jwt::PrivateKey::from_pem(pem.str());
  EXPECT_TRUE(jwt::verify_signature(*jws, key->public_key("x")));
}

TEST(TokenClient, unusable_private_key_fails_at_load) {
  config::Provider p;
  p.client_auth = config::ClientAuth::PrivateKeyJwt;
  p.private_key = config::Secret{"env X", "not a key"};
  EXPECT_THROW(TokenClient(p, net::make_client_context("")), std::runtime_error);
}

}  // namespace
}  // namespace vigie::oidc
