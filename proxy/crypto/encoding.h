// Base64, base64url and hex codecs for tokens, JWKs and cookies. Pure functions over bytes held
// in std::string; no state, callable from any thread. Decoders accept only the canonical form so
// that one token has exactly one encoding (no malleability through padding or trailing bits).
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace vigie::crypto {

enum class DecodeError {
  BadCharacter,  // a byte outside the alphabet, misplaced padding, or whitespace
  BadLength,     // a length no encoder produces (len % 4 == 1, or missing padding)
  NonCanonical,  // the unused trailing bits of the last character are not zero
};

// URL-safe alphabet (RFC 4648 §5) without padding, as JWS and cookies use it.
std::string base64url_encode(std::string_view bytes);
[[nodiscard]] core::Result<std::string, DecodeError> base64url_decode(std::string_view text);

// Standard alphabet (RFC 4648 §4) with '=' padding, required on decode.
std::string base64_encode(std::string_view bytes);
[[nodiscard]] core::Result<std::string, DecodeError> base64_decode(std::string_view text);

// Lowercase hex. The decoder accepts lowercase only (the one form hex_encode produces).
std::string hex_encode(std::string_view bytes);
[[nodiscard]] core::Result<std::string, DecodeError> hex_decode(std::string_view text);

}  // namespace vigie::crypto
