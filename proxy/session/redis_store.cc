#include "session/redis_store.h"

#include <algorithm>
#include <array>
#include <boost/asio/this_coro.hpp>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"

namespace vigie::session {
namespace {

namespace asio = boost::asio;

constexpr size_t kIdBytes = 16;
constexpr size_t kIdChars = 22;      // base64url, unpadded
constexpr size_t kSecretChars = 43;  // of 32 bytes
constexpr size_t kVerifierBytes = 16;

// A record is verifier || seal(secret, session JSON, aad = id). The verifier, derived one-way from
// the secret, lets Redis itself check (in the scripts below) that whoever updates or erases a
// record holds its ticket: the id alone, which audit logs show, must not let anyone overwrite
// another user's session or sign them out. It opens nothing: the secret cannot be computed from it.
std::string verifier(const crypto::Key& secret) {
  std::string_view key(reinterpret_cast<const char*>(secret.data()), secret.size());
  return crypto::hmac_sha256(key, "vigie session record verifier").substr(0, kVerifierBytes);
}

std::string record(const Ticket& t, const SessionData& s) {
  // The id as additional data: a record copied under another key does not open.
  return verifier(t.secret) + crypto::seal(t.secret, to_json(s), t.id);
}

// Compare-and-set: overwrite only a record that exists (XX semantics: an erased or revoked
// session is not brought back) and was sealed under the same ticket.
constexpr std::string_view kUpdateScript = R"(
local v = redis.call('GET', KEYS[1])
if not v or string.sub(v, 1, 16) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1)";

// Compare-and-delete on the verifier.
constexpr std::string_view kEraseScript = R"(
local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, 16) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0)";

// Compare-and-delete on the lock token: a holder whose lock lapsed cannot free its successor's.
constexpr std::string_view kUnlockScript = R"(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0)";

RedisSettings settings_from(const config::Redis& cfg) {
  return {cfg.host, cfg.port, cfg.password ? cfg.password->value : std::string(), cfg.db, cfg.timeout};
}

}  // namespace

bool is_ticket_id(std::string_view id) {
  if (id.size() != kIdChars) return false;
  auto raw = crypto::base64url_decode(id);
  return raw && raw->size() == kIdBytes;
}

core::Result<Ticket, TicketError> parse_ticket(std::string_view v) {
  if (v.size() != kIdChars + 1 + kSecretChars || v[kIdChars] != '.') return core::fail(TicketError::Malformed);
  std::string_view id = v.substr(0, kIdChars);
  if (!is_ticket_id(id)) return core::fail(TicketError::Malformed);
  auto secret = crypto::base64url_decode(v.substr(kIdChars + 1));
  if (!secret || secret->size() != crypto::Key().size()) return core::fail(TicketError::Malformed);
  Ticket t{std::string(id), {}};
  std::copy(secret->begin(), secret->end(), t.secret.begin());
  return t;
}

RedisStore::RedisStore(const config::Redis& cfg, std::chrono::milliseconds lifetime, const core::Clock& clock)
    : settings_(std::make_shared<const RedisSettings>(settings_from(cfg))),
      key_prefix_(cfg.key_prefix),
      lifetime_(lifetime),
      clock_(clock) {}

int64_t RedisStore::remaining_ms(const SessionData& s) const {
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(clock_.wall().time_since_epoch()).count();
  int64_t left = s.created * 1000 + lifetime_.count() - now;
  return std::min<int64_t>(left, lifetime_.count());
}

asio::awaitable<core::Result<RedisReply, StoreError>> RedisStore::run(std::span<const std::string_view> args) const {
  auto client = RedisClient::for_executor(co_await asio::this_coro::executor, settings_);
  auto reply = co_await client->command(args);
  if (!reply || reply->kind == RedisReply::Kind::Error) co_return core::fail(StoreError::Unavailable);
  co_return std::move(*reply);
}

asio::awaitable<core::Result<std::string, StoreError>> RedisStore::save(const SessionData& s) {
  int64_t ttl = remaining_ms(s);
  if (ttl <= 0) co_return core::fail(StoreError::NotFound);
  Ticket t{crypto::random_token(kIdBytes), {}};
  std::string secret = crypto::random_bytes(t.secret.size());
  std::copy(secret.begin(), secret.end(), t.secret.begin());
  SessionData named = s;
  named.id = t.id;
  std::string key = key_prefix_ + t.id, value = record(t, named), px = std::to_string(ttl);
  // NX: a new ticket never replaces a record (an id collision is 2^-128; it fails rather than
  // hands someone else's session over).
  std::array<std::string_view, 6> cmd{"SET", key, value, "PX", px, "NX"};
  auto reply = co_await run(cmd);
  if (!reply) co_return core::fail(reply.error());
  if (reply->kind != RedisReply::Kind::Status) co_return core::fail(StoreError::Unavailable);
  co_return t.id + "." + crypto::base64url_encode(secret);
}

asio::awaitable<core::Result<SessionData, StoreError>> RedisStore::load(std::string_view cookie_value) {
  auto t = parse_ticket(cookie_value);
  if (!t) co_return core::fail(StoreError::NotFound);
  std::string key = key_prefix_ + t->id;
  std::array<std::string_view, 2> cmd{"GET", key};
  auto reply = co_await run(cmd);
  if (!reply) co_return core::fail(reply.error());
  if (reply->kind != RedisReply::Kind::String || reply->str.size() < kVerifierBytes) {
    co_return core::fail(StoreError::NotFound);
  }
  auto plain = crypto::open(t->secret, std::string_view(reply->str).substr(kVerifierBytes), t->id);
  if (!plain) co_return core::fail(StoreError::NotFound);
  auto data = from_json(*plain);
  if (!data || data->id != t->id) co_return core::fail(StoreError::NotFound);
  co_return std::move(*data);
}

asio::awaitable<void> RedisStore::erase(std::string_view cookie_value) {
  auto t = parse_ticket(cookie_value);
  if (!t) co_return;
  std::string key = key_prefix_ + t->id, check = verifier(t->secret);
  std::array<std::string_view, 5> cmd{"EVAL", kEraseScript, "1", key, check};
  (void)co_await run(cmd);  // Redis down: the record lapses with its TTL
}

asio::awaitable<core::Result<std::string, StoreError>> RedisStore::update(std::string_view cookie_value,
                                                                          const SessionData& s) {
  auto t = parse_ticket(cookie_value);
  if (!t) co_return core::fail(StoreError::NotFound);
  int64_t ttl = remaining_ms(s);
  if (ttl <= 0) co_return core::fail(StoreError::NotFound);
  SessionData named = s;
  named.id = t->id;
  std::string key = key_prefix_ + t->id, check = verifier(t->secret), value = record(*t, named),
              px = std::to_string(ttl);
  std::array<std::string_view, 7> cmd{"EVAL", kUpdateScript, "1", key, check, value, px};
  auto reply = co_await run(cmd);
  if (!reply) co_return core::fail(reply.error());
  if (reply->kind != RedisReply::Kind::Integer || reply->integer != 1) co_return core::fail(StoreError::NotFound);
  co_return std::string(cookie_value);
}

asio::awaitable<core::Result<void, StoreError>> RedisStore::revoke(std::string_view session_id) {
  if (!is_ticket_id(session_id)) co_return core::fail(StoreError::NotFound);
  std::string key = key_prefix_ + std::string(session_id);
  std::array<std::string_view, 2> cmd{"DEL", key};
  auto reply = co_await run(cmd);
  if (!reply) co_return core::fail(reply.error());
  if (reply->kind != RedisReply::Kind::Integer || reply->integer != 1) co_return core::fail(StoreError::NotFound);
  co_return core::Result<void, StoreError>();
}

asio::awaitable<core::Result<std::optional<std::string>, StoreError>> RedisStore::try_lock(
    std::string_view session_id, std::chrono::milliseconds ttl) {
  if (!is_ticket_id(session_id)) co_return core::fail(StoreError::NotFound);
  std::string key = key_prefix_ + std::string(session_id) + ":lock", token = crypto::random_token(16),
              px = std::to_string(std::max<int64_t>(ttl.count(), 1));
  std::array<std::string_view, 6> cmd{"SET", key, token, "NX", "PX", px};
  auto reply = co_await run(cmd);
  if (!reply) co_return core::fail(reply.error());
  if (reply->kind != RedisReply::Kind::Status) co_return std::optional<std::string>();
  co_return std::optional<std::string>(std::move(token));
}

asio::awaitable<void> RedisStore::unlock(std::string_view session_id, std::string_view token) {
  if (!is_ticket_id(session_id)) co_return;
  std::string key = key_prefix_ + std::string(session_id) + ":lock";
  std::array<std::string_view, 5> cmd{"EVAL", kUnlockScript, "1", key, token};
  (void)co_await run(cmd);  // Redis down: the lock lapses with its TTL
}

}  // namespace vigie::session
