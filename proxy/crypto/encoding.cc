#include "crypto/encoding.h"

#include <array>
#include <cstdint>

namespace vigie::crypto {
namespace {

constexpr std::string_view kStd = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr uint8_t kInvalid = 0xff;

using Table = std::array<uint8_t, 256>;

constexpr Table make_table(std::string_view alphabet) {
  Table t{};
  t.fill(kInvalid);
  for (size_t i = 0; i < alphabet.size(); ++i) t[static_cast<uint8_t>(alphabet[i])] = static_cast<uint8_t>(i);
  return t;
}

constexpr Table kStdTable = make_table(kStd);
constexpr Table kUrlTable = make_table(kUrl);

std::string encode(std::string_view bytes, std::string_view alphabet, bool pad) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16 | static_cast<uint8_t>(bytes[i + 1]) << 8 |
                 static_cast<uint8_t>(bytes[i + 2]);
    out += alphabet[v >> 18 & 63];
    out += alphabet[v >> 12 & 63];
    out += alphabet[v >> 6 & 63];
    out += alphabet[v & 63];
  }
  size_t rest = bytes.size() - i;
  if (rest == 0) return out;
  uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
  if (rest == 2) v |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[i + 1])) << 8;
  out += alphabet[v >> 18 & 63];
  out += alphabet[v >> 12 & 63];
  if (rest == 2) out += alphabet[v >> 6 & 63];
  if (pad) out.append(3 - rest, '=');
  return out;
}

// Decodes unpadded text. Rejects what no encoder emits: a lone trailing character (len % 4 == 1)
// and non-zero unused bits in the last character, which would let "AB" and "AC" both mean one byte.
core::Result<std::string, DecodeError> decode_unpadded(std::string_view text, const Table& table) {
  if (text.size() % 4 == 1) return core::fail(DecodeError::BadLength);
  std::string out;
  out.reserve(text.size() / 4 * 3 + 2);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    uint8_t v = table[static_cast<uint8_t>(c)];
    if (v == kInvalid) return core::fail(DecodeError::BadCharacter);
    acc = (acc << 6 | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>(acc >> bits & 0xff);
    }
  }
  if ((acc & ((1u << bits) - 1)) != 0) return core::fail(DecodeError::NonCanonical);
  return out;
}

}  // namespace

std::string base64url_encode(std::string_view bytes) {
  return encode(bytes, kUrl, false);
}

core::Result<std::string, DecodeError> base64url_decode(std::string_view text) {
  return decode_unpadded(text, kUrlTable);
}

std::string base64_encode(std::string_view bytes) {
  return encode(bytes, kStd, true);
}

core::Result<std::string, DecodeError> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return core::fail(DecodeError::BadLength);
  size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  // A third '=' or one in the middle fails the alphabet check below.
  return decode_unpadded(text.substr(0, text.size() - pad), kStdTable);
}

std::string hex_encode(std::string_view bytes) {
  constexpr std::string_view kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    out += kDigits[static_cast<uint8_t>(c) >> 4];
    out += kDigits[static_cast<uint8_t>(c) & 15];
  }
  return out;
}

core::Result<std::string, DecodeError> hex_decode(std::string_view text) {
  if (text.size() % 2 != 0) return core::fail(DecodeError::BadLength);
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size() / 2);
  for (size_t i = 0; i < text.size(); i += 2) {
    int hi = digit(text[i]);
    int lo = digit(text[i + 1]);
    if (hi < 0 || lo < 0) return core::fail(DecodeError::BadCharacter);
    out += static_cast<char>(hi << 4 | lo);
  }
  return out;
}

}  // namespace vigie::crypto
