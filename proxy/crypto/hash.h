// SHA-256, HMAC-SHA256 and constant-time comparison, over bytes held in std::string. Stateless
// one-shot OpenSSL calls: callable from any thread. Used for cookie MACs, PKCE challenges, state
// binding and the JWS signing input digest where a raw digest is needed.
#pragma once

#include <string>
#include <string_view>

namespace vigie::crypto {

// 32 raw bytes.
std::string sha256(std::string_view data);

// 32 raw bytes.
std::string hmac_sha256(std::string_view key, std::string_view data);

// Compares secrets (MACs, tokens) in time independent of where they differ, so a remote caller
// cannot learn a valid MAC byte by byte. Lengths are not secret: different lengths are false.
[[nodiscard]] bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace vigie::crypto
