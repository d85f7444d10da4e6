#include "authn/identity.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace vigie::authn {
namespace {

std::string str(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

std::vector<std::string> strings(const nlohmann::json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

std::vector<std::string> split_spaces(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = s.find(' ', i);
    if (j == std::string::npos) j = s.size();
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

bool contains(const std::vector<std::string>& v, std::string_view x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

std::string_view name(Method m) {
  switch (m) {
    case Method::Session: return "session";
    case Method::Bearer: return "bearer";
    case Method::ClientCredentials: return "client_credentials";
  }
  return "unknown";
}

bool Identity::has_role(std::string_view r) const { return contains(roles, r); }
bool Identity::has_scope(std::string_view s) const { return contains(scopes, s); }
bool Identity::in_group(std::string_view g) const { return contains(groups, g); }

Identity identity_from_claims(const nlohmann::json& c, Method m, const std::vector<std::string>& keep) {
  Identity id;
  id.method = m;
  id.issuer = str(c, "iss");
  id.oid = str(c, "oid");
  id.tid = str(c, "tid");
  id.sub = str(c, "sub");
  // Tokens from providers without oid (and v1 service tokens) fall back to sub.
  if (id.oid.empty()) id.oid = id.sub;
  id.name = str(c, "name");
  id.email = str(c, "email");
  id.preferred_username = str(c, "preferred_username");
  if (id.preferred_username.empty()) id.preferred_username = str(c, "upn");
  id.client_id = str(c, "azp");
  if (id.client_id.empty()) id.client_id = str(c, "appid");
  id.token_id = str(c, "jti");
  if (id.token_id.empty()) id.token_id = str(c, "uti");
  id.groups = strings(c, "groups");
  id.roles = strings(c, "roles");
  std::sort(id.groups.begin(), id.groups.end());
  std::sort(id.roles.begin(), id.roles.end());
  id.scopes = split_spaces(str(c, "scp"));
  if (auto it = c.find("exp"); it != c.end() && it->is_number_integer()) id.expires = it->get<int64_t>();
  for (const auto& name : keep) {
    auto it = c.find(name);
    if (it == c.end()) continue;
    std::vector<std::string> values;
    auto text = [](const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); };
    if (it->is_array()) {
      for (const auto& v : *it) values.push_back(text(v));
    } else {
      values.push_back(text(*it));
    }
    id.claims.emplace_back(name, std::move(values));
  }
  return id;
}

bool groups_overage(const nlohmann::json& c) {
  if (c.contains("groups")) return false;
  auto names = c.find("_claim_names");
  bool named = names != c.end() && names->is_object() && names->contains("groups");
  auto has = c.find("hasgroups");
  return named || (has != c.end() && has->is_boolean() && has->get<bool>());
}

}  // namespace vigie::authn
