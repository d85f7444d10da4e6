// TLS at both edges: the listener speaks TLS 1.2+ only with ALPN http/1.1; upstream TLS verifies the
// certificate against the configured CA and the endpoint's name.
#include <openssl/ssl.h>

#include <boost/asio/ssl.hpp>
#include <boost/beast/http.hpp>

#include "integration/harness.h"
#include "support/certs.h"

namespace vigie::testing {
namespace {
namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

class Tls : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = make_temp_dir();
    pki = make_test_pki(dir);
  }
  void TearDown() override {
    std::string ignored;
    run_command("rm -rf " + dir, &ignored);
  }
  std::string dir;
  TestPki pki;
};

// A TLS client that trusts the test CA; returns the handshake error, if any.
struct TlsClient {
  asio::io_context io;
  asio::ssl::context ctx{asio::ssl::context::tls_client};
  std::unique_ptr<asio::ssl::stream<tcp::socket>> s;
  boost::system::error_code connect(uint16_t port, const std::string& ca, int max_version = 0,
                                    const unsigned char* alpn = nullptr, unsigned alpn_len = 0) {
    ctx.load_verify_file(ca);
    ctx.set_verify_mode(asio::ssl::verify_peer);
    if (max_version) SSL_CTX_set_max_proto_version(ctx.native_handle(), max_version);
    if (max_version && max_version < TLS1_2_VERSION) SSL_CTX_set_security_level(ctx.native_handle(), 0);
    if (alpn) SSL_CTX_set_alpn_protos(ctx.native_handle(), alpn, alpn_len);
    s = std::make_unique<asio::ssl::stream<tcp::socket>>(io, ctx);
    s->next_layer().connect({asio::ip::make_address("127.0.0.1"), port});
    SSL_set_tlsext_host_name(s->native_handle(), "localhost");
    SSL_set1_host(s->native_handle(), "localhost");
    boost::system::error_code ec;
    s->handshake(asio::ssl::stream_base::client, ec);
    return ec;
  }
};

TEST_F(Tls, listener_serves_https_with_alpn_http11) {
  RecordingUpstream upstream;
  ConfigOptions o;
  o.upstream_port = upstream.port();
  o.listener_extra = "    tls: {cert_file: " + pki.cert_file + ", key_file: " + pki.key_file + "}\n";
  VigieProcess vigie(make_config(o));
  TlsClient c;
  static const unsigned char kAlpn[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  ASSERT_FALSE(c.connect(vigie.port(), pki.ca_file, 0, kAlpn, sizeof kAlpn));
  const unsigned char* proto = nullptr;
  unsigned len = 0;
  SSL_get0_alpn_selected(c.s->native_handle(), &proto, &len);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(proto), len), "http/1.1");
  http::request<http::empty_body> req(http::verb::get, "/secure", 11);
  req.set(http::field::host, "localhost");
  http::write(*c.s, req);
  boost::beast::flat_buffer b;
  http::response<http::string_body> res;
  http::read(*c.s, b, res);
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(upstream.requests().back().header("X-Forwarded-Proto"), "https");
}

TEST_F(Tls, listener_refuses_tls_1_1_and_h2_only_clients) {
  RecordingUpstream upstream;
  ConfigOptions o;
  o.upstream_port = upstream.port();
  o.listener_extra = "    tls: {cert_file: " + pki.cert_file + ", key_file: " + pki.key_file + "}\n";
  VigieProcess vigie(make_config(o));
  TlsClient old;
  EXPECT_TRUE(old.connect(vigie.port(), pki.ca_file, TLS1_1_VERSION));
  TlsClient h2;
  static const unsigned char kH2[] = {2, 'h', '2'};
  EXPECT_TRUE(h2.connect(vigie.port(), pki.ca_file, 0, kH2, sizeof kH2));
  EXPECT_EQ(upstream.count(), 0u);
}

TEST_F(Tls, upstream_certificate_verified_against_the_configured_ca) {
  RecordingUpstream::Options uo;
  uo.cert_file = pki.cert_file;
  uo.key_file = pki.key_file;
  RecordingUpstream upstream(uo);
  ConfigOptions o;
  o.upstream_port = upstream.port();
  o.routes = "  - id: all\n    path: {prefix: /}\n    cluster: secure\n    auth: public\n";
  o.cluster_extra = "  - name: secure\n    endpoints: [\"https://localhost:" + std::to_string(upstream.port()) +
                    "\"]\n    tls: {ca_file: " + pki.ca_file + "}\n";
  VigieProcess vigie(make_config(o));
  auto r = http_request(vigie.port(), "GET", "/over-tls");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200);
  EXPECT_EQ(upstream.count(), 1u);
}

TEST_F(Tls, upstream_with_an_untrusted_or_misnamed_certificate_is_502) {
  RecordingUpstream::Options uo;
  uo.cert_file = pki.cert_file;
  uo.key_file = pki.key_file;
  RecordingUpstream upstream(uo);
  std::string other_dir = make_temp_dir();
  TestPki other = make_test_pki(other_dir);
  ConfigOptions o;
  o.upstream_port = upstream.port();
  o.routes =
      "  - id: untrusted\n    path: {prefix: /a}\n    cluster: untrusted\n    auth: public\n"
      "  - id: misnamed\n    path: {prefix: /b}\n    cluster: misnamed\n    auth: public\n";
  std::string port = std::to_string(upstream.port());
  o.cluster_extra = "  - name: untrusted\n    endpoints: [\"https://localhost:" + port + "\"]\n    tls: {ca_file: " +
                    other.ca_file + "}\n  - name: misnamed\n    endpoints: [\"https://localhost:" + port +
                    "\"]\n    tls: {ca_file: " + pki.ca_file + ", server_name: db.internal}\n";
  VigieProcess vigie(make_config(o));
  EXPECT_EQ(http_request(vigie.port(), "GET", "/a")->result_int(), 502);
  EXPECT_EQ(http_request(vigie.port(), "GET", "/b")->result_int(), 502);
  EXPECT_EQ(upstream.count(), 0u);
  std::string ignored;
  run_command("rm -rf " + other_dir, &ignored);
}

}  // namespace
}  // namespace vigie::testing
