#include "crypto/random.h"

#include <openssl/rand.h>

#include <limits>

#include "core/assert.h"
#include "crypto/encoding.h"

namespace vigie::crypto {

std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  if (n == 0) return out;
  VIGIE_ASSERT(n <= static_cast<size_t>(std::numeric_limits<int>::max()));
  // Never fall back to anything weaker: a session id from a failed RNG is a forgeable session.
  int ok = RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n));
  VIGIE_ASSERT(ok == 1);
  return out;
}

std::string random_token(size_t bytes) {
  return base64url_encode(random_bytes(bytes));
}

}  // namespace vigie::crypto
