// Sessions ended by the provider (OIDC back-channel and front-channel logout): the provider names
// a session id (sid) or a user (sub); every Vigie session carrying it ends, wherever its cookie
// is replayed from. Sessions signed out here end too (a copy of a stateless cookie, or a Redis
// ticket still cached by another worker). Also remembers logout-token ids (jti) so a captured token cannot be replayed.
// Process-wide and in memory, kept across reloads: with several replicas each must receive the
// logout (the provider calls one). Shared by workers; the mutex guards two hash lookups per
// session load, and only once something was revoked. Bounded: front-channel calls are anonymous.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "session/data.h"

namespace vigie::authn {

// What revocation looks at in a session (views into a SessionData or a cached identity).
struct SessionRef {
  std::string_view id;  // Vigie's session id
  std::string_view issuer;
  std::string_view sid;
  std::string_view sub;
  int64_t created = 0;
};

[[nodiscard]] inline SessionRef ref_of(const session::SessionData& s) {
  return {s.id, s.issuer, s.sid, s.sub, s.created};
}

class Revocations {
 public:
  // `until`: when the entry may be forgotten (unix seconds; the longest a session can live).
  // The list of the process: it outlives reloads (a snapshot's Service comes and goes).
  static Revocations& process();

  void revoke_sid(const std::string& issuer, const std::string& sid, int64_t at, int64_t until);
  // Sessions of this user created at or before `at` end.
  void revoke_sub(const std::string& issuer, const std::string& sub, int64_t at, int64_t until);
  // Vigie's own session `id` (signed out).
  void revoke_session(const std::string& id, int64_t at, int64_t until);
  [[nodiscard]] bool revoked(const SessionRef& s, int64_t now);
  // False when this jti was seen before (a replayed logout token); remembers it until `until`.
  [[nodiscard]] bool first_use(const std::string& jti, int64_t until, int64_t now);

 private:
  void expire(int64_t now);  // mu_ held

  struct Entry {
    int64_t at = 0;
    int64_t until = 0;
  };
  std::mutex mu_;
  std::atomic<bool> any_{false};  // lets the common case (nothing revoked) skip the lock
  std::unordered_map<std::string, Entry> sids_;
  std::unordered_map<std::string, Entry> subs_;
  std::unordered_map<std::string, Entry> sessions_;
  std::unordered_map<std::string, int64_t> jtis_;
};

}  // namespace vigie::authn
