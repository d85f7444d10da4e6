#include "authn/revocations.h"

namespace vigie::authn {

void Revocations::revoke_sid(const std::string& issuer, const std::string& sid, int64_t until) {
  std::lock_guard lock(mu_);
  sids_[issuer + " " + sid] = {0, until};
  any_ = true;
}

void Revocations::revoke_sub(const std::string& issuer, const std::string& sub, int64_t at, int64_t until) {
  std::lock_guard lock(mu_);
  subs_[issuer + " " + sub] = {at, until};
  any_ = true;
}

bool Revocations::revoked(const session::SessionData& s, int64_t now) {
  if (!any_) return false;
  std::lock_guard lock(mu_);
  expire(now);
  if (!s.sid.empty() && sids_.contains(s.issuer + " " + s.sid)) return true;
  auto it = subs_.find(s.issuer + " " + s.sub);
  return it != subs_.end() && s.created <= it->second.at;
}

bool Revocations::first_use(const std::string& jti, int64_t until, int64_t now) {
  std::lock_guard lock(mu_);
  expire(now);
  return jtis_.emplace(jti, until).second;
}

void Revocations::expire(int64_t now) {
  std::erase_if(sids_, [&](const auto& kv) { return kv.second.until <= now; });
  std::erase_if(subs_, [&](const auto& kv) { return kv.second.until <= now; });
  std::erase_if(jtis_, [&](const auto& kv) { return kv.second <= now; });
  any_ = !sids_.empty() || !subs_.empty();
}

}  // namespace vigie::authn
