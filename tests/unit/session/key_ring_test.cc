#include "session/key_ring.h"

#include <gtest/gtest.h>

#include "crypto/encoding.h"
#include "crypto/random.h"

namespace vigie::session {
namespace {

crypto::Key random_key() {
  crypto::Key k;
  std::string r = crypto::random_bytes(32);
  std::copy(r.begin(), r.end(), k.begin());
  return k;
}

std::string line(const crypto::Key& k) {
  return crypto::base64_encode(std::string_view(reinterpret_cast<const char*>(k.data()), k.size()));
}

TEST(KeyRing, parse_newest_first_skipping_blank_and_comments) {
  auto a = random_key(), b = random_key();
  auto ring = KeyRing::parse("# rotated 2026-11\n" + line(a) + "\n\n" + line(b) + "\r\n");
  ASSERT_TRUE(ring);
  EXPECT_EQ(ring->size(), 2u);
  EXPECT_EQ(ring->current().key, a);
}

TEST(KeyRing, parse_errors) {
  EXPECT_EQ(KeyRing::parse("\n# nothing\n").error(), KeyRingError::Empty);
  EXPECT_EQ(KeyRing::parse(crypto::base64_encode("short")).error(), KeyRingError::BadKey);
  EXPECT_EQ(KeyRing::parse("not base64!").error(), KeyRingError::BadKey);
  auto k = random_key();
  EXPECT_EQ(KeyRing::parse(line(k) + "\n" + line(k)).error(), KeyRingError::Duplicate);
}

TEST(KeyRing, sealed_value_opens_with_same_purpose) {
  auto ring = KeyRing::from_keys({random_key()});
  std::string sealed = seal(ring, "vigie", "payload");
  EXPECT_TRUE(sealed.starts_with("v1."));
  EXPECT_EQ(open(ring, "vigie", sealed).value(), "payload");
}

TEST(KeyRing, other_purpose_is_forged) {
  auto ring = KeyRing::from_keys({random_key()});
  EXPECT_EQ(open(ring, "login", seal(ring, "vigie", "payload")).error(), OpenError::Forged);
}

TEST(KeyRing, rotated_ring_opens_old_values_and_seals_with_new_key) {
  auto old_key = random_key(), new_key = random_key();
  auto old_ring = KeyRing::from_keys({old_key});
  auto rotated = KeyRing::from_keys({new_key, old_key});
  std::string old_value = seal(old_ring, "p", "x");
  EXPECT_EQ(open(rotated, "p", old_value).value(), "x");
  // Once the old key leaves the ring, its values stop opening.
  auto retired = KeyRing::from_keys({new_key});
  EXPECT_EQ(open(retired, "p", old_value).error(), OpenError::UnknownKey);
  EXPECT_EQ(open(retired, "p", seal(rotated, "p", "y")).value(), "y");
}

TEST(KeyRing, tampered_values_rejected) {
  auto ring = KeyRing::from_keys({random_key()});
  std::string sealed = seal(ring, "p", "some session payload");
  EXPECT_EQ(open(ring, "p", "v2." + sealed.substr(3)).error(), OpenError::Malformed);
  EXPECT_EQ(open(ring, "p", "v1.%%%").error(), OpenError::Malformed);
  EXPECT_EQ(open(ring, "p", "v1.").error(), OpenError::Malformed);
  for (size_t i = 10; i < sealed.size(); i += 7) {
    std::string t = sealed;
    t[i] = t[i] == 'A' ? 'B' : 'A';
    auto r = open(ring, "p", t);
    EXPECT_FALSE(r) << "position " << i;
  }
}

}  // namespace
}  // namespace vigie::session
