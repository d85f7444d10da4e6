#include "authn/revocations.h"

namespace vigie::authn {

namespace {

// Front-channel logout is unauthenticated by nature (a GET in an iframe): bound what it can add.
constexpr size_t kMaxEntries = 100000;

}  // namespace

void Revocations::revoke_sid(const std::string& issuer, const std::string& sid, int64_t at, int64_t until) {
  std::lock_guard lock(mu_);
  expire(at);
  if (sids_.size() >= kMaxEntries) return;
  sids_[issuer + " " + sid] = {at, until};
  any_ = true;
}

void Revocations::revoke_sub(const std::string& issuer, const std::string& sub, int64_t at, int64_t until) {
  std::lock_guard lock(mu_);
  expire(at);
  if (subs_.size() >= kMaxEntries) return;
  subs_[issuer + " " + sub] = {at, until};
  any_ = true;
}

void Revocations::revoke_session(const std::string& id, int64_t at, int64_t until) {
  std::lock_guard lock(mu_);
  expire(at);
  if (sessions_.size() >= kMaxEntries) return;
  sessions_[id] = {at, until};
  any_ = true;
}

// Three hash lookups; expired entries are dropped on the write paths, not here.
bool Revocations::revoked(const SessionRef& s, int64_t now) {
  if (!any_) return false;
  std::lock_guard lock(mu_);
  auto live = [&](const auto& map, const std::string& key) {
    auto it = map.find(key);
    return it != map.end() && it->second.until > now ? &it->second : nullptr;
  };
  auto joined = [](std::string_view a, std::string_view b) { return std::string(a) + " " + std::string(b); };
  if (!s.id.empty() && live(sessions_, std::string(s.id))) return true;
  if (!s.sid.empty() && live(sids_, joined(s.issuer, s.sid))) return true;
  const Entry* sub = live(subs_, joined(s.issuer, s.sub));
  return sub && s.created <= sub->at;
}

bool Revocations::first_use(const std::string& jti, int64_t until, int64_t now) {
  std::lock_guard lock(mu_);
  expire(now);
  if (jtis_.size() >= kMaxEntries) return false;
  return jtis_.emplace(jti, until).second;
}

Revocations& Revocations::process() {
  static Revocations instance;
  return instance;
}

void Revocations::expire(int64_t now) {
  std::erase_if(sids_, [&](const auto& kv) { return kv.second.until <= now; });
  std::erase_if(subs_, [&](const auto& kv) { return kv.second.until <= now; });
  std::erase_if(sessions_, [&](const auto& kv) { return kv.second.until <= now; });
  std::erase_if(jtis_, [&](const auto& kv) { return kv.second <= now; });
  any_ = !sids_.empty() || !subs_.empty() || !sessions_.empty();
}

}  // namespace vigie::authn
