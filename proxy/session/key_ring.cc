#include "session/key_ring.h"

#include <algorithm>

#include "crypto/encoding.h"
#include "crypto/hash.h"

namespace vigie::session {
namespace {

constexpr std::string_view kVersion = "v1.";
constexpr size_t kIdBytes = 4;

std::string key_id(const crypto::Key& key) {
  return crypto::sha256(std::string_view(reinterpret_cast<const char*>(key.data()), key.size())).substr(0, kIdBytes);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

const KeyRing::Entry* KeyRing::find(std::string_view id) const {
  for (const auto& e : keys_) {
    if (e.id == id) return &e;
  }
  return nullptr;
}

core::Result<KeyRing, KeyRingError> KeyRing::parse(std::string_view text) {
  std::vector<crypto::Key> keys;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (line.empty() || line.starts_with("#")) continue;
    auto raw = crypto::base64_decode(line);
    if (!raw || raw->size() != 32) return core::fail(KeyRingError::BadKey);
    crypto::Key k;
    std::copy(raw->begin(), raw->end(), k.begin());
    if (std::find(keys.begin(), keys.end(), k) != keys.end()) return core::fail(KeyRingError::Duplicate);
    keys.push_back(k);
  }
  if (keys.empty()) return core::fail(KeyRingError::Empty);
  return from_keys(keys);
}

KeyRing KeyRing::from_keys(const std::vector<crypto::Key>& keys) {
  KeyRing ring;
  for (const auto& k : keys) ring.keys_.push_back({k, key_id(k)});
  return ring;
}

std::string_view describe(KeyRingError e) {
  switch (e) {
    case KeyRingError::Empty: return "holds no key (one base64 32-byte key per line, newest first)";
    case KeyRingError::BadKey: return "has a line that is not base64 of exactly 32 bytes (openssl rand -base64 32)";
    case KeyRingError::Duplicate: return "lists the same key twice";
  }
  return "is invalid";
}

std::string seal(const KeyRing& ring, std::string_view purpose, std::string_view plaintext) {
  const auto& k = ring.current();
  return std::string(kVersion) + crypto::base64url_encode(k.id + crypto::seal(k.key, plaintext, purpose));
}

core::Result<std::string, OpenError> open(const KeyRing& ring, std::string_view purpose, std::string_view sealed) {
  if (!sealed.starts_with(kVersion)) return core::fail(OpenError::Malformed);
  auto raw = crypto::base64url_decode(sealed.substr(kVersion.size()));
  if (!raw || raw->size() < kIdBytes) return core::fail(OpenError::Malformed);
  const KeyRing::Entry* k = ring.find(std::string_view(*raw).substr(0, kIdBytes));
  if (!k) return core::fail(OpenError::UnknownKey);
  auto plain = crypto::open(k->key, std::string_view(*raw).substr(kIdBytes), purpose);
  if (!plain) return core::fail(OpenError::Forged);
  return std::move(*plain);
}

}  // namespace vigie::session
