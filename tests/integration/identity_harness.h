// An identity test bed: a recording upstream, the Entra-shaped OpenID provider and Vigie with an
// identity section in front of both, on free loopback ports. Vigie's port is reserved before the
// provider starts because the provider must know the redirect URI it will allow.
#pragma once

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "integration/harness.h"
#include "support/browser.h"
#include "support/oidc_provider.h"
#include "support/redis_server.h"

namespace vigie::testing {

// A port that was free a moment ago (bound, read, released); the next bind takes it.
inline uint16_t reserve_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

// A fresh cookie key, base64 of 32 random bytes, as an operator makes with `openssl rand -base64 32`.
inline std::string random_cookie_key() {
  unsigned char raw[32];
  RAND_bytes(raw, sizeof raw);
  unsigned char out[64];
  int n = EVP_EncodeBlock(out, raw, sizeof raw);
  return std::string(reinterpret_cast<char*>(out), static_cast<size_t>(n));
}

struct IdentityBed {
  // top_extra: top-level config sections (authorization, trusted_proxies), "{dir}" standing for
  // the bed's temporary directory.
  explicit IdentityBed(const std::string& routes, const std::string& identity_extra = "",
                       const std::string& provider_extra = "", std::string top_extra = "") {
    port = reserve_port();
    base = "http://127.0.0.1:" + std::to_string(port);
    auto tenant = standard_tenant(base + "/oauth2/callback", base + "/");
    tenant.clients[0].backchannel_logout_uri = base + "/oauth2/backchannel_logout";
    provider = std::make_unique<OidcProvider>(tenant);
    dir = make_temp_dir();
    std::ofstream(dir + "/keys") << random_cookie_key() << "\n";
    std::ofstream(dir + "/client-secret") << "vigie-secret\n";
    std::ofstream(dir + "/audit-key") << "audit-chain-key-for-tests-only-0123456789";  // {dir}/audit-key
    for (size_t at; (at = top_extra.find("{dir}")) != std::string::npos;) top_extra.replace(at, 5, dir);
    top = std::move(top_extra);
    start(routes, identity_extra, provider_extra);
  }

  // provider_extra: lines inside `provider:`; "{provider}" stands for the provider's base URL.
  void start(const std::string& routes, const std::string& identity_extra, std::string provider_extra = "") {
    for (size_t at; (at = provider_extra.find("{provider}")) != std::string::npos;) {
      provider_extra.replace(at, 10, provider->base_url());
    }
    std::string y = "workers: 2\nlisteners:\n  - name: http\n    address: 127.0.0.1\n    port: " +
                    std::to_string(port) +
                    "\nadmin: {address: 127.0.0.1, port: 0}\naccess_log: {path: \"off\"}\n"
                    "clusters:\n  - name: app\n    endpoints: [\"http://127.0.0.1:" +
                    std::to_string(upstream.port()) + "\"]\n" + top + "routes:\n" + routes +
                    "identity:\n"
                    "  provider:\n"
                    "    issuer: " + provider->issuer() + "\n"
                    "    client_id: vigie\n"
                    "    client_secret: {file: " + dir + "/client-secret}\n" +
                    provider_extra +
                    "  session:\n"
                    "    keys: {file: " + dir + "/keys}\n" + identity_extra;
    vigie = std::make_unique<VigieProcess>(y);
  }

  ~IdentityBed() {
    vigie.reset();
    if (!std::getenv("VIGIE_KEEP_TEST_DIRS")) std::filesystem::remove_all(dir);
  }

  std::string url(const std::string& path) const { return base + path; }

  uint16_t port = 0;
  std::string top;
  std::string base;
  std::string dir;
  RecordingUpstream upstream;
  std::unique_ptr<OidcProvider> provider;
  std::unique_ptr<VigieProcess> vigie;
};

}  // namespace vigie::testing
