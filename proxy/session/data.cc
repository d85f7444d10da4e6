#include "session/data.h"

#include <nlohmann/json.hpp>

namespace vigie::session {
namespace {

using nlohmann::json;

// Short keys: the record travels in a cookie on every request.
struct Field {
  const char* key;
  std::string SessionData::*member;
};
constexpr Field kStrings[] = {
    {"id", &SessionData::id},     {"iss", &SessionData::issuer},          {"oid", &SessionData::oid},
    {"tid", &SessionData::tid},   {"sub", &SessionData::sub},             {"name", &SessionData::name},
    {"em", &SessionData::email},  {"pun", &SessionData::preferred_username}, {"sid", &SessionData::sid},
    {"idt", &SessionData::id_token}, {"at", &SessionData::access_token},  {"rt", &SessionData::refresh_token},
};
struct IntField {
  const char* key;
  int64_t SessionData::*member;
};
constexpr IntField kInts[] = {{"c", &SessionData::created}, {"ls", &SessionData::last_seen},
                              {"te", &SessionData::tokens_expire}};

bool read_list(const json& j, const char* key, std::vector<std::string>& out) {
  auto it = j.find(key);
  if (it == j.end()) return true;
  if (!it->is_array()) return false;
  for (const auto& v : *it) {
    if (!v.is_string()) return false;
    out.push_back(v.get<std::string>());
  }
  return true;
}

}  // namespace

bool same_tokens(const SessionData& a, const SessionData& b) {
  return a.tokens_expire == b.tokens_expire && a.access_token == b.access_token &&
         a.refresh_token == b.refresh_token && a.id_token == b.id_token;
}

std::string to_json(const SessionData& s) {
  json j = json::object();
  for (const auto& f : kStrings) {
    if (!(s.*f.member).empty()) j[f.key] = s.*f.member;
  }
  for (const auto& f : kInts) j[f.key] = s.*f.member;
  if (!s.groups.empty()) j["g"] = s.groups;
  if (!s.roles.empty()) j["r"] = s.roles;
  for (const auto& [name, values] : s.claims) j["cl"][name] = values;
  return j.dump();
}

core::Result<SessionData, DataError> from_json(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return core::fail(DataError::Malformed);
  SessionData s;
  for (const auto& f : kStrings) {
    auto it = j.find(f.key);
    if (it == j.end()) continue;
    if (!it->is_string()) return core::fail(DataError::Malformed);
    s.*f.member = it->get<std::string>();
  }
  for (const auto& f : kInts) {
    auto it = j.find(f.key);
    if (it == j.end() || !it->is_number_integer()) return core::fail(DataError::Malformed);
    s.*f.member = it->get<int64_t>();
  }
  if (!read_list(j, "g", s.groups) || !read_list(j, "r", s.roles)) return core::fail(DataError::Malformed);
  if (auto cl = j.find("cl"); cl != j.end()) {
    if (!cl->is_object()) return core::fail(DataError::Malformed);
    for (const auto& [name, values] : cl->items()) {
      std::vector<std::string> out;
      if (!read_list(*cl, name.c_str(), out)) return core::fail(DataError::Malformed);
      s.claims.emplace_back(name, std::move(out));
    }
  }
  return s;
}

}  // namespace vigie::session
