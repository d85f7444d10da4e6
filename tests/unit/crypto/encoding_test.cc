#include "crypto/encoding.h"

#include <gtest/gtest.h>

namespace vigie::crypto {
namespace {

struct Vector {
  const char* bytes;
  const char* std;
  const char* url;
};

// RFC 4648 §10, plus bytes that use the two alphabet-specific characters.
const Vector kVectors[] = {
    {"", "", ""},
    {"f", "Zg==", "Zg"},
    {"fo", "Zm8=", "Zm8"},
    {"foo", "Zm9v", "Zm9v"},
    {"foob", "Zm9vYg==", "Zm9vYg"},
    {"fooba", "Zm9vYmE=", "Zm9vYmE"},
    {"foobar", "Zm9vYmFy", "Zm9vYmFy"},
    {"\xfb\xff", "+/8=", "-_8"},
    {"\xfb\xef\xbe", "++++", "----"},
};

TEST(Encoding, rfc4648_vectors_round_trip) {
  for (const auto& v : kVectors) {
    EXPECT_EQ(base64_encode(v.bytes), v.std) << v.std;
    EXPECT_EQ(base64url_encode(v.bytes), v.url) << v.url;
    EXPECT_EQ(base64_decode(v.std).value_or("<error>"), v.bytes) << v.std;
    EXPECT_EQ(base64url_decode(v.url).value_or("<error>"), v.bytes) << v.url;
  }
}

TEST(Encoding, every_byte_value_round_trips) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (size_t len = 0; len <= all.size(); len += 37) {
    std::string bytes = all.substr(0, len);
    EXPECT_EQ(base64url_decode(base64url_encode(bytes)).value_or("<error>"), bytes);
    EXPECT_EQ(base64_decode(base64_encode(bytes)).value_or("<error>"), bytes);
  }
}

struct Rejection {
  const char* name;
  std::string text;
  DecodeError error;
};

TEST(Encoding, base64url_accepts_only_canonical_unpadded_text) {
  const Rejection cases[] = {
      {"trailing_bits_set_one_byte", "Zh", DecodeError::NonCanonical},
      {"trailing_bits_set_two_bytes", "Zm9", DecodeError::NonCanonical},
      {"lone_trailing_character", "Z", DecodeError::BadLength},
      {"five_characters", "Zm9vY", DecodeError::BadLength},
      {"padding", "Zg==", DecodeError::BadCharacter},
      {"standard_alphabet_plus", "+/8", DecodeError::BadCharacter},
      {"space", "Zm 9", DecodeError::BadCharacter},
      {"newline", "Zm9v\n\n", DecodeError::BadCharacter},
      {"dot", "Zm9v.A", DecodeError::BadCharacter},
      {"nul_byte", std::string("Zm\0v", 4), DecodeError::BadCharacter},
      {"high_byte", "Zm\xc3\xa9", DecodeError::BadCharacter},
  };
  for (const auto& c : cases) {
    auto r = base64url_decode(c.text);
    ASSERT_FALSE(r) << c.name;
    EXPECT_EQ(r.error(), c.error) << c.name;
  }
}

TEST(Encoding, base64_requires_padding_and_canonical_bits) {
  const Rejection cases[] = {
      {"missing_padding", "Zg", DecodeError::BadLength},
      {"short_padding", "Zg=", DecodeError::BadLength},
      {"three_pads", "Z===", DecodeError::BadCharacter},
      {"padding_in_the_middle", "Zg==Zg==", DecodeError::BadCharacter},
      {"url_alphabet", "-_8=", DecodeError::BadCharacter},
      {"trailing_bits_set", "Zh==", DecodeError::NonCanonical},
      {"whitespace", "Zm9v Zg==", DecodeError::BadLength},
      {"line_break", "Zm9v\nZm8=", DecodeError::BadLength},
      {"crlf_in_block", "Zm\r\n", DecodeError::BadCharacter},
  };
  for (const auto& c : cases) {
    auto r = base64_decode(c.text);
    ASSERT_FALSE(r) << c.name;
    EXPECT_EQ(r.error(), c.error) << c.name;
  }
}

TEST(Encoding, hex_is_lowercase) {
  EXPECT_EQ(hex_encode(std::string_view("\x00\xff\x10\xab", 4)), "00ff10ab");
  EXPECT_EQ(hex_encode(""), "");
}

TEST(Encoding, hex_decode_round_trips_and_refuses_other_forms) {
  EXPECT_EQ(*hex_decode("00ff10ab"), std::string_view("\x00\xff\x10\xab", 4));
  EXPECT_EQ(*hex_decode(""), "");
  EXPECT_EQ(hex_decode("abc").error(), DecodeError::BadLength);
  EXPECT_EQ(hex_decode("AB").error(), DecodeError::BadCharacter);  // uppercase: not what we write
  EXPECT_EQ(hex_decode("0g").error(), DecodeError::BadCharacter);
}

}  // namespace
}  // namespace vigie::crypto
