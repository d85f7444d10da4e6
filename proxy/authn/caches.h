// What a worker remembers between requests so that a signed-in caller's steady-state request costs
// a hash lookup, not a signature check, an AEAD open, a JSON parse or a Redis round trip:
//  - BearerCache: a verified token -> the identity and audiences it proved, until `exp`;
//  - SessionCache: the session cookie's value (sealed record or Redis ticket) -> the identity it
//    opened to, until the session next needs work (see Service::from_session).
// Bounded: when full, expired entries go first, then the whole map (a rare, cheap reset). Owned by
// one worker; never shared, so no locks.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "authn/identity.h"

namespace vigie::authn {

// Entry: any struct with `int64_t valid_until` (unix seconds; the entry is gone from then on).
template <class E>
class ExpiringCache {
 public:
  using Entry = E;

  explicit ExpiringCache(size_t capacity) : capacity_(capacity) {}

  [[nodiscard]] const Entry* find(std::string_view key, int64_t now_unix) {
    auto it = map_.find(key);
    if (it == map_.end()) return nullptr;
    if (it->second.valid_until <= now_unix) {
      map_.erase(it);
      return nullptr;
    }
    return &it->second;
  }

  void insert(std::string key, Entry e, int64_t now_unix) {
    if (map_.size() >= capacity_) {
      std::erase_if(map_, [&](const auto& kv) { return kv.second.valid_until <= now_unix; });
      if (map_.size() >= capacity_) map_.clear();
    }
    map_.insert_or_assign(std::move(key), std::move(e));
  }

  void erase(std::string_view key) {
    if (auto it = map_.find(key); it != map_.end()) map_.erase(it);
  }

  [[nodiscard]] size_t size() const { return map_.size(); }

 private:
  static constexpr size_t kHashedBytes = 32;
  // The last 32 bytes of a key: a sealed cookie's tag, a ticket's secret, a JWT's signature. Only
  // verified credentials are inserted, so no caller can choose keys that share a bucket, and a
  // request hashes 32 bytes instead of a 3 KB cookie. Equality compares whole keys.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const {
      return std::hash<std::string_view>{}(s.substr(s.size() > kHashedBytes ? s.size() - kHashedBytes : 0));
    }
  };
  size_t capacity_;
  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> map_;
};

struct BearerEntry {
  std::shared_ptr<const Identity> identity;
  std::vector<std::string> audiences;
  int64_t valid_until = 0;  // exp + leeway
  uint64_t generation = 0;  // the Service that verified it: a reload may keep other claims for policies
};

struct SessionEntry {
  std::shared_ptr<const Identity> identity;
  std::string sid;      // the provider's session id, for back-channel revocation
  int64_t created = 0;  // unix seconds, for revocation of a user's older sessions
  uint64_t generation = 0;  // the Service that opened it: after a reload (new keys, new limits) it misses
  int64_t valid_until = 0;
};

using BearerCache = ExpiringCache<BearerEntry>;
using SessionCache = ExpiringCache<SessionEntry>;

struct Caches {
  BearerCache bearer{10000};
  // Keys are whole cookie values (up to a few KB each): fewer of them.
  SessionCache sessions{4096};
};

}  // namespace vigie::authn
