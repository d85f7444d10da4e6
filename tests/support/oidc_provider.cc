#include "support/oidc_provider.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "support/browser.h"
#include "support/certs.h"
#include "support/vigie_process.h"

#ifndef VIGIE_SOURCE_DIR
#error "VIGIE_SOURCE_DIR must point at the source tree (tests/CMakeLists.txt sets it)"
#endif

namespace vigie::testing {
namespace {

constexpr int kReadyTimeoutMs = 30000;

std::string fixture_dir() {
  return std::string(VIGIE_SOURCE_DIR) + "/tests/support/oidc";
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}


std::string base64url(const unsigned char* data, size_t n) {
  static constexpr char k[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = static_cast<uint32_t>(data[i]) << 16;
    if (i + 1 < n) v |= static_cast<uint32_t>(data[i + 1]) << 8;
    if (i + 2 < n) v |= data[i + 2];
    out += k[(v >> 18) & 63];
    out += k[(v >> 12) & 63];
    if (i + 1 < n) out += k[(v >> 6) & 63];
    if (i + 2 < n) out += k[v & 63];
  }
  return out;
}

nlohmann::json to_json(const OidcProviderOptions& o) {
  nlohmann::json clients = nlohmann::json::array();
  for (const auto& c : o.clients) {
    nlohmann::json j = {{"client_id", c.client_id},
                        {"grant_types", c.grant_types},
                        {"token_endpoint_auth_method", c.token_endpoint_auth_method},
                        {"roles", c.roles}};
    if (!c.client_secret.empty()) j["client_secret"] = c.client_secret;
    if (!c.redirect_uris.empty()) j["redirect_uris"] = c.redirect_uris;
    if (!c.post_logout_redirect_uris.empty()) j["post_logout_redirect_uris"] = c.post_logout_redirect_uris;
    if (!c.backchannel_logout_uri.empty()) {
      j["backchannel_logout_uri"] = c.backchannel_logout_uri;
      j["backchannel_logout_session_required"] = true;
    }
    if (!c.jwks.is_null()) j["jwks"] = c.jwks;
    if (!c.oid.empty()) j["oid"] = c.oid;
    clients.push_back(std::move(j));
  }
  nlohmann::json users = nlohmann::json::object();
  for (const auto& u : o.users) {
    nlohmann::json j = {{"groups", u.groups}, {"roles", u.roles}, {"overage", u.overage}};
    if (!u.oid.empty()) j["oid"] = u.oid;
    if (!u.name.empty()) j["name"] = u.name;
    if (!u.email.empty()) j["email"] = u.email;
    if (!u.preferred_username.empty()) j["preferred_username"] = u.preferred_username;
    users[u.username] = std::move(j);
  }
  nlohmann::json config = {{"port", 0},
                           {"tenant", o.tenant},
                           {"clients", clients},
                           {"ttl",
                            {{"id_token", o.ttl.id_token},
                             {"access_token", o.ttl.access_token},
                             {"refresh_token", o.ttl.refresh_token}}},
                           {"graph_page_size", o.graph_page_size},
                           {"pkce_required", o.pkce_required}};
  if (!o.users.empty()) config["users"] = users;
  for (const auto& [uri, app_id] : o.api_app_ids) config["apis"][uri] = {{"app_id", app_id}};
  if (o.tls) config["tls"] = true;
  return config;
}

}  // namespace

std::string find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream ss(path ? path : "/usr/local/bin:/usr/bin:/bin");
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

std::string test_group_id(int i) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "6b1e0000-0000-4000-8000-%012d", i);
  return buf;
}

OidcProviderOptions standard_tenant(const std::string& redirect_uri, const std::string& post_logout_uri) {
  OidcProviderOptions o;
  OidcClient web;
  web.client_id = "vigie";
  web.client_secret = "vigie-secret";
  web.redirect_uris = {redirect_uri};
  if (!post_logout_uri.empty()) web.post_logout_redirect_uris = {post_logout_uri};
  OidcClient daemon;
  daemon.client_id = "daemon";
  daemon.client_secret = "daemon-secret";
  daemon.grant_types = {"client_credentials"};
  daemon.token_endpoint_auth_method = "client_secret_post";
  daemon.roles = {"Vigie.Api.Call"};
  daemon.oid = "d0d0d0d0-0000-4000-8000-000000000001";
  o.clients = {web, daemon};
  OidcUser alice{"alice",
                 "a11ce000-0000-4000-8000-000000000001",
                 "Alice Martin",
                 "alice@contoso.test",
                 "alice@contoso.test",
                 {test_group_id(1), test_group_id(2), test_group_id(3)},
                 {"Vigie.Admin"}};
  OidcUser bob{"bob",
               "b0b00000-0000-4000-8000-000000000002",
               "Bob Durand",
               "bob@contoso.test",
               "bob@contoso.test",
               {test_group_id(4)},
               {}};
  OidcUser overage{"overage",
                   "0e4a6e00-0000-4000-8000-000000000003",
                   "Olga Verage",
                   "olga@contoso.test",
                   "olga@contoso.test",
                   {},
                   {}};
  for (int i = 1; i <= 250; ++i) overage.groups.push_back(test_group_id(i));
  o.users = {alice, bob, overage};
  return o;
}

OidcProvider::OidcProvider(const OidcProviderOptions& options) {
  start(to_json(options));
}

OidcProvider::OidcProvider(nlohmann::json config) {
  start(std::move(config));
}

void OidcProvider::start(nlohmann::json config) {
  const std::string script = fixture_dir() + "/entra_provider.mjs";
  if (!exists(fixture_dir() + "/node_modules/oidc-provider/package.json")) {
    throw std::runtime_error("the OpenID provider fixture is not installed: run `npm ci` in " +
                             fixture_dir() + " (scripts/test.sh does it)");
  }
  const std::string node = find_on_path("node");
  if (node.empty()) throw std::runtime_error("`node` is not on PATH (scripts/test.sh installs nodejs)");

  dir_ = make_temp_dir();
  tenant_ = config.value("tenant", std::string("3f0b5c1e-8d2a-4c7b-9e61-2a4d8f0b7c35"));
  config["tenant"] = tenant_;
  if (config.contains("tls") && config["tls"].is_boolean()) {
    if (config["tls"].get<bool>()) {
      TestPki pki = make_test_pki(dir_);
      ca_file_ = pki.ca_file;
      config["tls"] = {{"cert", pki.cert_file}, {"key", pki.key_file}};
    } else {
      config.erase("tls");
    }
  }
  const std::string config_path = dir_ + "/config.json";
  std::ofstream(config_path) << config.dump(2);

  int in[2];
  int out[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  const std::string err = dir_ + "/stderr";
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(e, 2);
    // Sockets the test opened (upstreams, listeners) must not live on in node after the test closes them.
    ::close_range(3, ~0U, 0);
    ::execl(node.c_str(), node.c_str(), script.c_str(), "--config", config_path.c_str(), nullptr);
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  // Our end of node's stdin stays open (and close-on-exec, so no other child inherits it) for
  // node's lifetime: EOF on it is how node learns that this test is over.
  stdin_fd_ = in[1];
  pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));

  std::string line;
  pollfd pfd{out[0], POLLIN, 0};
  char buf[512];
  while (line.find('\n') == std::string::npos && ::poll(&pfd, 1, kReadyTimeoutMs) > 0) {
    ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    line.append(buf, static_cast<size_t>(n));
  }
  ::close(out[0]);
  if (line.find('\n') == std::string::npos) {
    std::string why = stderr_text();
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
    if (why.find("Cannot find package") != std::string::npos) {
      why = "node_modules is incomplete: run `npm ci` in " + fixture_dir() + "\n" + why;
    }
    throw std::runtime_error("the OpenID provider fixture did not become ready:\n" + why);
  }
  auto ready = nlohmann::json::parse(line.substr(0, line.find('\n')));
  issuer_ = ready.at("issuer").get<std::string>();
  port_ = ready.at("port").get<uint16_t>();
  base_url_ = issuer_.substr(0, issuer_.find('/', issuer_.find("://") + 3));
}

OidcProvider::~OidcProvider() {
  if (stdin_fd_ >= 0) ::close(stdin_fd_);
  if (pid_ > 0) {
    // node exits on stdin EOF; a node that does not within five seconds is killed.
    pollfd pfd{pidfd_, POLLIN, 0};
    if (pidfd_ < 0 || ::poll(&pfd, 1, 5000) <= 0) ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (pidfd_ >= 0) ::close(pidfd_);
  std::string ignored;
  if (!dir_.empty() && !std::getenv("VIGIE_KEEP_TEST_DIRS")) run_command("rm -rf " + dir_, &ignored);
}

std::string OidcProvider::stderr_text() const {
  std::ifstream in(dir_ + "/stderr");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

nlohmann::json OidcProvider::control(const std::string& method, const std::string& path,
                                     const nlohmann::json& body) const {
  FetchRequest req;
  req.method = method;
  req.url = base_url_ + path;
  req.ca_file = ca_file_;
  if (method == "POST") {
    req.headers = {{"Content-Type", "application/json"}};
    req.body = body.dump();
  }
  Response r = fetch(req);
  if (r.result_int() != 200) {
    throw std::runtime_error(method + " " + path + " answered " + std::to_string(r.result_int()) + ": " +
                             r.body());
  }
  return nlohmann::json::parse(r.body());
}

std::string OidcProvider::authorization_url(const AuthorizationRequest& r) const {
  Form q = {{"client_id", r.client_id},
            {"response_type", "code"},
            {"redirect_uri", r.redirect_uri},
            {"scope", r.scope}};
  if (!r.state.empty()) q.emplace_back("state", r.state);
  if (!r.nonce.empty()) q.emplace_back("nonce", r.nonce);
  if (!r.code_challenge.empty()) {
    q.emplace_back("code_challenge", r.code_challenge);
    q.emplace_back("code_challenge_method", "S256");
  }
  q.insert(q.end(), r.extra.begin(), r.extra.end());
  return authorization_endpoint() + "?" + form_encode(q);
}

void OidcProvider::next_login(const std::string& username) const {
  control("POST", "/test/next-login", {{"user", username}});
}

std::string OidcProvider::rotate_keys(bool drop_old) const {
  return control("POST", "/test/rotate-keys", {{"drop_old", drop_old}}).at("kid").get<std::string>();
}

nlohmann::json OidcProvider::state() const {
  return control("GET", "/test/state", nullptr);
}

void OidcProvider::reset_counters() const {
  control("POST", "/test/reset-counters", nlohmann::json::object());
}

void OidcProvider::set_ttl(const OidcTtl& ttl) const {
  control(
      "POST", "/test/ttl",
      {{"id_token", ttl.id_token}, {"access_token", ttl.access_token}, {"refresh_token", ttl.refresh_token}});
}

nlohmann::json OidcProvider::get_json(const std::string& url) const {
  Response r = fetch({"GET", url, {{"Accept", "application/json"}}, "", ca_file_});
  if (r.result_int() != 200)
    throw std::runtime_error("GET " + url + " answered " + std::to_string(r.result_int()));
  return nlohmann::json::parse(r.body());
}

TokenResponse OidcProvider::token_request(
    const std::vector<std::pair<std::string, std::string>>& form,
    const std::optional<std::pair<std::string, std::string>>& basic) const {
  FetchRequest req{"POST",
                   token_endpoint(),
                   {{"Content-Type", "application/x-www-form-urlencoded"}},
                   form_encode(form),
                   ca_file_};
  req.headers.emplace_back("Accept", "application/json");
  if (basic) {
    // RFC 6749 2.3.1: id and secret are form-urlencoded before base64.
    std::string creds = url_encode(basic->first) + ":" + url_encode(basic->second);
    std::string b64(4 * ((creds.size() + 2) / 3) + 1, '\0');
    int n =
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()),
                        reinterpret_cast<const unsigned char*>(creds.data()), static_cast<int>(creds.size()));
    b64.resize(static_cast<size_t>(n));
    req.headers.emplace_back("Authorization", "Basic " + b64);
  }
  Response r = fetch(req);
  TokenResponse out;
  out.status = r.result_int();
  out.body = nlohmann::json::parse(r.body(), nullptr, false);
  return out;
}

std::string OidcProvider::client_credentials_token(const std::string& client_id, const std::string& secret,
                                                   const std::string& scope) const {
  TokenResponse r = token_request({{"grant_type", "client_credentials"},
                                   {"client_id", client_id},
                                   {"client_secret", secret},
                                   {"scope", scope}});
  if (r.status != 200 || !r.body.contains("access_token")) {
    throw std::runtime_error("client_credentials for " + client_id + " failed: " + r.body.dump());
  }
  return r.body["access_token"].get<std::string>();
}

std::string random_urlsafe(size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return base64url(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

Pkce make_pkce() {
  Pkce p;
  p.verifier = random_urlsafe(32);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(p.verifier.data(), p.verifier.size(), digest, &n, EVP_sha256(), nullptr);
  p.challenge = base64url(digest, n);
  return p;
}

std::string base64url_encode(std::string_view s) {
  return base64url(reinterpret_cast<const unsigned char*>(s.data()), s.size());
}

std::string base64url_decode(std::string_view s) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-' || c == '+') return 62;
    if (c == '_' || c == '/') return 63;
    return -1;
  };
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : s) {
    if (c == '=') break;
    int v = value(c);
    if (v < 0) throw std::invalid_argument("not base64url");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

nlohmann::json jwt_header(std::string_view jwt) {
  return nlohmann::json::parse(base64url_decode(jwt.substr(0, jwt.find('.'))));
}

nlohmann::json jwt_payload(std::string_view jwt) {
  auto first = jwt.find('.');
  auto second = jwt.find('.', first + 1);
  if (first == std::string_view::npos || second == std::string_view::npos)
    throw std::invalid_argument("not a JWS");
  return nlohmann::json::parse(base64url_decode(jwt.substr(first + 1, second - first - 1)));
}

}  // namespace vigie::testing
