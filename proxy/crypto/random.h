// Cryptographically secure random bytes and tokens (session ids, state, nonces, PKCE verifiers)
// from OpenSSL's CSPRNG. Stateless: callable from any thread (OpenSSL 3 keeps per-thread DRBGs).
// A CSPRNG failure aborts: a weak or predictable token would be worse than no service.
#pragma once

#include <cstddef>
#include <string>

namespace vigie::crypto {

// n raw random bytes.
std::string random_bytes(size_t n);

// base64url (unpadded) of `bytes` random bytes: 32 bytes gives a 43-character token.
std::string random_token(size_t bytes);

}  // namespace vigie::crypto
