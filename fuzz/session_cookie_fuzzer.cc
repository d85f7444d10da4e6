// Fuzz target: what a browser controls about sessions — the Cookie header (find_cookie,
// read_chunked, chunk_count), the sealed cookie value (session::open, CookieStore::open, and the
// session JSON behind it), the Redis ticket — plus the RESP reply parser reading Redis' answers.
// Any input must give a Result, never a crash, a leak or an uncaught exception.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "session/cookie_store.h"
#include "session/cookies.h"
#include "session/data.h"
#include "session/key_ring.h"
#include "session/redis_client.h"
#include "session/redis_store.h"

namespace {

using namespace vigie;

// A fixed key (all zero bytes), so corpus entries sealed with it reach the JSON behind the seal.
const session::KeyRing& ring() {
  static const session::KeyRing r = session::KeyRing::from_keys({crypto::Key{}});
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  (void)session::find_cookie(text, "__Host-vigie");
  (void)session::chunk_count(text, "__Host-vigie");
  if (auto joined = session::read_chunked(text, "__Host-vigie")) {
    (void)session::CookieStore(ring(), "__Host-vigie").open(*joined);
  }

  session::CookieStore store(ring(), "__Host-vigie");
  if (auto s = store.open(text)) {
    // Whatever opens re-serialises to something that opens to the same record.
    if (session::to_json(*session::from_json(session::to_json(*s))) != session::to_json(*s)) __builtin_trap();
  }
  (void)session::open(ring(), "login", text);
  (void)session::from_json(text);

  if (auto t = session::parse_ticket(text)) {
    if (t->id.size() != 22 || !session::is_ticket_id(t->id)) __builtin_trap();
  }
  (void)session::is_ticket_id(text);

  session::RespParser resp;
  if (resp.feed(text)) {
    for (int i = 0; i < 64; ++i) {
      auto r = resp.next();
      if (!r || !*r) break;
    }
  }
  return 0;
}
