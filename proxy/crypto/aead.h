// AES-256-GCM sealing for data Vigie stores or hands out and must read back unaltered: session
// records, state cookies. The caller owns the Key (from config or a key ring); seal/open are
// callable from any thread and keep one reusable cipher context per thread, so they are cheap
// enough to run on every request.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "core/result.h"

namespace vigie::crypto {

using Key = std::array<unsigned char, 32>;

enum class OpenError {
  TooShort,  // shorter than nonce + tag: not something seal() produced
  Forged,    // tag mismatch: wrong key, altered bytes or wrong aad
};

inline constexpr size_t kNonceBytes = 12;
inline constexpr size_t kTagBytes = 16;

// Returns nonce(12) || ciphertext || tag(16). The nonce is random per call: with 96-bit random
// nonces one key is safe for well over 2^32 seals, far beyond a key's lifetime here.
std::string seal(const Key& key, std::string_view plaintext, std::string_view aad);

// Authenticates then decrypts. No plaintext is ever returned for a forged input.
[[nodiscard]] core::Result<std::string, OpenError> open(const Key& key, std::string_view sealed,
                                                        std::string_view aad);

}  // namespace vigie::crypto
