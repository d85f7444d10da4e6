#include "authn/bearer_cache.h"

#include <gtest/gtest.h>

namespace vigie::authn {
namespace {

BearerCache::Entry entry(int64_t until) { return {std::make_shared<Identity>(), {"aud"}, until}; }

TEST(BearerCache, hit_until_valid_until) {
  BearerCache c;
  c.insert("h", entry(100), 10);
  EXPECT_TRUE(c.find("h", 99));
  EXPECT_FALSE(c.find("h", 100));  // expired entries are dropped on lookup
  EXPECT_EQ(c.size(), 0u);
}

TEST(BearerCache, full_cache_drops_expired_first_then_resets) {
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

}  // namespace
}  // namespace vigie::authn
