#include "authn/caches.h"

#include <gtest/gtest.h>

namespace vigie::authn {
namespace {

BearerEntry entry(int64_t until) { return {std::make_shared<Identity>(), {"aud"}, until}; }

TEST(ExpiringCache, hit_until_valid_until) {
  BearerCache c(10);
  c.insert("h", entry(100), 10);
  EXPECT_TRUE(c.find("h", 99));
  EXPECT_FALSE(c.find("h", 100));  // expired entries are dropped on lookup
  EXPECT_EQ(c.size(), 0u);
}

TEST(ExpiringCache, full_cache_drops_expired_first_then_resets) {
  BearerCache c(2);
  c.insert("a", entry(50), 10);
  c.insert("b", entry(500), 10);
  c.insert("c", entry(500), 60);  // "a" expired: evicted, the others stay
  EXPECT_TRUE(c.find("b", 60));
  EXPECT_TRUE(c.find("c", 60));
  c.insert("d", entry(500), 60);  // nothing expired: reset, then insert
  EXPECT_EQ(c.size(), 1u);
  EXPECT_TRUE(c.find("d", 60));
}

TEST(ExpiringCache, erase_and_lookup_by_view) {
  SessionCache c(10);
  std::string key(3000, 'k');  // a whole sealed cookie value
  c.insert(key, {std::make_shared<Identity>(), "sid", 1, 7, 100}, 10);
  EXPECT_TRUE(c.find(std::string_view(key), 20));
  EXPECT_FALSE(c.find(std::string_view(key).substr(1), 20));
  c.erase(key);
  EXPECT_FALSE(c.find(key, 20));
  c.erase("absent");  // harmless
}

}  // namespace
}  // namespace vigie::authn
