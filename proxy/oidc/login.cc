#include "oidc/login.h"

#include <nlohmann/json.hpp>

#include "core/url.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"

namespace vigie::oidc {
namespace {

constexpr std::string_view kPurpose = "vigie-login";

bool host_allowed(std::string_view host, std::string_view request_host, const std::vector<std::string>& allowed) {
  if (host == request_host) return true;
  for (const auto& a : allowed) {
    std::string_view p = a;
    if (p.starts_with("*.")) {
      std::string_view suffix = p.substr(1);  // ".example.org"
      if (host.size() > suffix.size() && host.ends_with(suffix)) return true;
    } else if (host == p) {
      return true;
    }
  }
  return false;
}

// Characters browsers strip or reinterpret in a Location ("\t/\n/evil" becomes "//evil").
bool has_dangerous_char(std::string_view s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '\\') return true;
  }
  return false;
}

bool relative_ok(std::string_view rd) {
  return rd.starts_with("/") && !rd.starts_with("//") && !rd.starts_with("/\\");
}

}  // namespace

LoginState new_login(std::string return_to, int64_t now_unix) {
  return {crypto::random_token(32), crypto::random_token(32), crypto::random_token(32), std::move(return_to),
          now_unix};
}

std::string pkce_challenge(std::string_view verifier) { return crypto::base64url_encode(crypto::sha256(verifier)); }

std::string login_cookie_name(std::string_view base, std::string_view state) {
  return std::string(base) + "_login_" + std::string(state.substr(0, 16));
}

std::string seal_login(const session::KeyRing& ring, const LoginState& s) {
  nlohmann::json j = {{"s", s.state}, {"n", s.nonce}, {"v", s.verifier}, {"r", s.return_to}, {"c", s.created}};
  return session::seal(ring, kPurpose, j.dump());
}

core::Result<LoginState, LoginError> open_login(const session::KeyRing& ring, std::string_view sealed,
                                                std::string_view state, int64_t now_unix, int64_t max_age_s) {
  auto plain = session::open(ring, kPurpose, sealed);
  if (!plain) return core::fail(LoginError::Invalid);
  auto j = nlohmann::json::parse(*plain, nullptr, false);
  if (!j.is_object()) return core::fail(LoginError::Invalid);
  LoginState s;
  for (auto [key, out] : {std::pair{"s", &s.state}, {"n", &s.nonce}, {"v", &s.verifier}, {"r", &s.return_to}}) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return core::fail(LoginError::Invalid);
    *out = it->get<std::string>();
  }
  auto c = j.find("c");
  if (c == j.end() || !c->is_number_integer()) return core::fail(LoginError::Invalid);
  s.created = c->get<int64_t>();
  if (!crypto::constant_time_equal(s.state, state)) return core::fail(LoginError::StateMismatch);
  if (now_unix - s.created > max_age_s || s.created > now_unix + 60) return core::fail(LoginError::Expired);
  return s;
}

std::string authorize_url(const Metadata& meta, const AuthorizeParams& p, const LoginState& s) {
  std::string scopes;
  for (const auto& sc : p.scopes) scopes += (scopes.empty() ? "" : " ") + sc;
  std::string url = meta.authorization_endpoint;
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += "response_type=code&client_id=" + core::url_encode(p.client_id) +
         "&redirect_uri=" + core::url_encode(p.redirect_uri) + "&scope=" + core::url_encode(scopes) +
         "&state=" + s.state + "&nonce=" + s.nonce + "&code_challenge=" + pkce_challenge(s.verifier) +
         "&code_challenge_method=S256&response_mode=query";
  if (!p.login_hint.empty()) url += "&login_hint=" + core::url_encode(p.login_hint);
  if (!p.domain_hint.empty()) url += "&domain_hint=" + core::url_encode(p.domain_hint);
  return url;
}

std::optional<std::string> safe_return_to(std::string_view rd, std::string_view request_host,
                                          const std::vector<std::string>& allowed_hosts) {
  if (rd.empty() || has_dangerous_char(rd)) return std::nullopt;
  // A second decoding must not reveal a trick either ("/%2F%2Fevil", "%5C"): some upstream
  // frameworks decode Location-bound values once more.
  auto decoded = core::url_decode(rd);
  if (!decoded || has_dangerous_char(*decoded)) return std::nullopt;
  if (rd.starts_with("/")) {
    if (!relative_ok(rd) || !relative_ok(*decoded)) return std::nullopt;
    return std::string(rd);
  }
  auto url = core::parse_url(rd);
  if (!url || !host_allowed(url->host, request_host, allowed_hosts)) return std::nullopt;
  return url->str();
}

}  // namespace vigie::oidc
