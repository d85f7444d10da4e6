#include "net/tls.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include "support/certs.h"
#include "support/vigie_process.h"

namespace vigie::net {
namespace {

TEST(Tls, server_context_is_tls12_plus_with_matching_key) {
  std::string dir = testing::make_temp_dir();
  auto pki = testing::make_test_pki(dir);
  auto ctx = make_server_context(pki.cert_file, pki.key_file);
  EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx->native_handle()), TLS1_2_VERSION);
  EXPECT_TRUE(SSL_CTX_get_options(ctx->native_handle()) & SSL_OP_NO_COMPRESSION);
  // A key that is not the certificate's is refused at load, naming the key file.
  std::string other_dir = testing::make_temp_dir();
  auto other = testing::make_test_pki(other_dir);
  try {
    (void)make_server_context(pki.cert_file, other.key_file);
    FAIL() << "mismatched key accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(other.key_file), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)make_server_context("/nonexistent.pem", pki.key_file), std::runtime_error);
  std::string ignored;
  testing::run_command("rm -rf " + dir + " " + other_dir, &ignored);
}

TEST(Tls, client_context_verifies_peers) {
  auto ctx = make_client_context("");
  EXPECT_EQ(SSL_CTX_get_verify_mode(ctx->native_handle()), SSL_VERIFY_PEER);
  EXPECT_THROW((void)make_client_context("/nonexistent/ca.pem"), std::runtime_error);
}

}  // namespace
}  // namespace vigie::net
