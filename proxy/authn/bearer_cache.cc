#include "authn/bearer_cache.h"

namespace vigie::authn {

const BearerCache::Entry* BearerCache::find(const std::string& token_hash, int64_t now_unix) {
  auto it = map_.find(token_hash);
  if (it == map_.end()) return nullptr;
  if (it->second.valid_until <= now_unix) {
    map_.erase(it);
    return nullptr;
  }
  return &it->second;
}

void BearerCache::insert(std::string token_hash, Entry e, int64_t now_unix) {
  if (map_.size() >= capacity_) {
    std::erase_if(map_, [&](const auto& kv) { return kv.second.valid_until <= now_unix; });
    if (map_.size() >= capacity_) map_.clear();
  }
  map_.insert_or_assign(std::move(token_hash), std::move(e));
}

}  // namespace vigie::authn
