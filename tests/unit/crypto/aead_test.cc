#include "crypto/aead.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "crypto/random.h"

namespace vigie::crypto {
namespace {

Key make_key(unsigned char fill) {
  Key k;
  k.fill(fill);
  return k;
}

const Key kKey = make_key(0x42);

TEST(Aead, round_trip_preserves_plaintext) {
  for (std::string plaintext :
       {std::string(), std::string("x"), std::string(4096, '\x01'), random_bytes(333)}) {
    std::string sealed = seal(kKey, plaintext, "aad");
    EXPECT_EQ(sealed.size(), kNonceBytes + plaintext.size() + kTagBytes);
    EXPECT_EQ(open(kKey, sealed, "aad").value_or("<error>"), plaintext);
  }
}

TEST(Aead, empty_aad_round_trips) {
  EXPECT_EQ(open(kKey, seal(kKey, "data", ""), "").value_or("<error>"), "data");
}

TEST(Aead, same_plaintext_seals_differently) {
  EXPECT_NE(seal(kKey, "session", "aad"), seal(kKey, "session", "aad"));
}

TEST(Aead, tampered_byte_in_any_region_is_forged) {
  const std::string sealed = seal(kKey, "the session record", "aad");
  const struct {
    const char* name;
    size_t offset;
  } regions[] = {
      {"nonce_first", 0},
      {"nonce_last", kNonceBytes - 1},
      {"ciphertext_first", kNonceBytes},
      {"ciphertext_last", sealed.size() - kTagBytes - 1},
      {"tag_first", sealed.size() - kTagBytes},
      {"tag_last", sealed.size() - 1},
  };
  for (const auto& r : regions) {
    std::string altered = sealed;
    altered[r.offset] = static_cast<char>(altered[r.offset] ^ 0x01);
    auto opened = open(kKey, altered, "aad");
    ASSERT_FALSE(opened) << r.name;
    EXPECT_EQ(opened.error(), OpenError::Forged) << r.name;
  }
}

TEST(Aead, wrong_aad_is_forged) {
  auto opened = open(kKey, seal(kKey, "data", "cookie:a"), "cookie:b");
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error(), OpenError::Forged);
  auto missing = open(kKey, seal(kKey, "data", "cookie:a"), "");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error(), OpenError::Forged);
}

TEST(Aead, wrong_key_is_forged) {
  auto opened = open(make_key(0x43), seal(kKey, "data", "aad"), "aad");
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error(), OpenError::Forged);
}

TEST(Aead, shorter_than_nonce_and_tag_is_too_short) {
  for (size_t n : {size_t{0}, size_t{1}, kNonceBytes + kTagBytes - 1}) {
    auto opened = open(kKey, std::string(n, 'a'), "aad");
    ASSERT_FALSE(opened) << n;
    EXPECT_EQ(opened.error(), OpenError::TooShort) << n;
  }
  auto truncated = open(kKey, seal(kKey, "", "aad").substr(0, kNonceBytes + kTagBytes - 1), "aad");
  ASSERT_FALSE(truncated);
  EXPECT_EQ(truncated.error(), OpenError::TooShort);
}

TEST(Aead, truncated_or_extended_ciphertext_is_forged) {
  std::string sealed = seal(kKey, "some plaintext", "aad");
  auto shorter = open(kKey, sealed.substr(0, sealed.size() - 1), "aad");
  auto longer = open(kKey, sealed + "x", "aad");
  ASSERT_FALSE(shorter);
  ASSERT_FALSE(longer);
  EXPECT_EQ(shorter.error(), OpenError::Forged);
  EXPECT_EQ(longer.error(), OpenError::Forged);
}

TEST(Aead, a_failed_open_does_not_disturb_the_next_one) {
  // The per-thread context is reused: a forged input must leave it ready for a good one.
  std::string good = seal(kKey, "good", "aad");
  std::string bad = good;
  bad.back() = static_cast<char>(bad.back() ^ 1);
  EXPECT_FALSE(open(kKey, bad, "aad"));
  EXPECT_EQ(open(kKey, good, "aad").value_or("<error>"), "good");
}

TEST(Aead, threads_seal_and_open_concurrently) {
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &failures] {
      for (int i = 0; i < 500; ++i) {
        std::string pt = std::to_string(t) + ":" + std::to_string(i);
        if (open(kKey, seal(kKey, pt, "aad"), "aad").value_or("") != pt) ++failures[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace vigie::crypto
