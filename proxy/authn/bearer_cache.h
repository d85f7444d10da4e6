// Verified bearer tokens, per worker: SHA-256 of the token -> the identity and audiences it proved,
// kept until the token expires, so the steady-state cost of a bearer request is one hash and one
// lookup. Bounded: when full, expired entries go first, then the whole map (a rare, cheap reset).
// Owned by one worker; never shared.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "authn/identity.h"

namespace vigie::authn {

class BearerCache {
 public:
  struct Entry {
    std::shared_ptr<const Identity> identity;
    std::vector<std::string> audiences;
    int64_t valid_until = 0;  // unix seconds: exp + leeway
  };

  explicit BearerCache(size_t capacity = 10000) : capacity_(capacity) {}

  [[nodiscard]] const Entry* find(const std::string& token_hash, int64_t now_unix);
  void insert(std::string token_hash, Entry e, int64_t now_unix);
  [[nodiscard]] size_t size() const { return map_.size(); }

 private:
  size_t capacity_;
  std::unordered_map<std::string, Entry> map_;
};

}  // namespace vigie::authn
