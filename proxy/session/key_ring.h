// The keys that seal Vigie's cookies (sessions, login state). A ring so keys can be rotated without
// logging everyone out: the newest key seals, every key in the ring opens. Parsed from a secret
// (one base64 32-byte key per line, newest first) at config load; immutable and shared afterwards.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "crypto/aead.h"

namespace vigie::session {

enum class KeyRingError {
  Empty,       // no key at all
  BadKey,      // a line is not base64 of exactly 32 bytes
  Duplicate,   // the same key twice (a copy-paste slip that would hide a missing new key)
};

class KeyRing {
 public:
  // Each key is known by the first 4 bytes of its SHA-256, stored in the sealed value, so opening
  // picks the right key at once instead of trying them all.
  struct Entry {
    crypto::Key key;
    std::string id;  // 4 bytes
  };

  [[nodiscard]] const Entry& current() const { return keys_.front(); }
  [[nodiscard]] const Entry* find(std::string_view id) const;
  [[nodiscard]] size_t size() const { return keys_.size(); }

  [[nodiscard]] static core::Result<KeyRing, KeyRingError> parse(std::string_view text);
  [[nodiscard]] static KeyRing from_keys(const std::vector<crypto::Key>& keys);  // tests, generated rings

 private:
  std::vector<Entry> keys_;
};

[[nodiscard]] std::string_view describe(KeyRingError e);

// Seals with the current key: "v1." + base64url(key id || nonce || ciphertext || tag). The purpose
// (cookie name, "login", "ticket") is the additional data, so a value sealed for one purpose
// never opens as another.
[[nodiscard]] std::string seal(const KeyRing& ring, std::string_view purpose, std::string_view plaintext);

enum class OpenError {
  Malformed,  // not a v1 value, or bad base64url
  UnknownKey, // sealed with a key no longer in the ring
  Forged,     // authentication failed: altered, or sealed for another purpose
};

[[nodiscard]] core::Result<std::string, OpenError> open(const KeyRing& ring, std::string_view purpose,
                                                        std::string_view sealed);

}  // namespace vigie::session
