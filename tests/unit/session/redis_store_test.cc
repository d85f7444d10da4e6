// What only the Redis store promises, checked against a real redis-server: what a dump of Redis
// shows, expiry, the ticket format, who may overwrite or erase a record, the password, the
// database, and behaviour when Redis dies, hangs or comes back. The shared contract is in
// store_contract_test.cc.
#include "session/redis_store.h"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>

#include "crypto/encoding.h"
#include "crypto/random.h"
#include "support/await.h"
#include "support/redis_server.h"

namespace vigie::session {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

using testing::run;

constexpr auto kLifetime = std::chrono::milliseconds(12h);

// The test's own view of Redis, through hiredis' blocking API: what an operator or an attacker
// with a dump would see.
class Raw {
 public:
  explicit Raw(const testing::RedisServer& server, int db = 0) {
    c_ = redisConnectWithTimeout("127.0.0.1", server.port(), timeval{5, 0});
    if (c_ == nullptr || c_->err) throw std::runtime_error("raw connection failed");
    if (!server.password().empty()) command({"AUTH", server.password()});
    if (db != 0) command({"SELECT", std::to_string(db)});
  }
  ~Raw() { redisFree(c_); }

  // The reply as a string (bulk or status), the integer as text, "(nil)", or "(error) ...".
  std::string command(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const auto& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    auto* r = static_cast<redisReply*>(redisCommandArgv(c_, static_cast<int>(args.size()), argv.data(), lens.data()));
    if (r == nullptr) throw std::runtime_error("raw command failed");
    std::string out;
    switch (r->type) {
      case REDIS_REPLY_STRING:
      case REDIS_REPLY_STATUS: out.assign(r->str, r->len); break;
      case REDIS_REPLY_ERROR: out = "(error) " + std::string(r->str, r->len); break;
      case REDIS_REPLY_INTEGER: out = std::to_string(r->integer); break;
      case REDIS_REPLY_NIL: out = "(nil)"; break;
      case REDIS_REPLY_ARRAY:
        for (size_t i = 0; i < r->elements; ++i) out += std::string(r->element[i]->str, r->element[i]->len) + "\n";
        break;
    }
    freeReplyObject(r);
    return out;
  }

  int connected_clients() {
    std::string info = command({"INFO", "clients"});
    auto at = info.find("connected_clients:");
    return std::stoi(info.substr(at + 18));
  }

 private:
  redisContext* c_ = nullptr;
};

SessionData sample(const core::Clock& clock) {
  SessionData s;
  s.issuer = "https://login.microsoftonline.com/6f1e0c2a/v2.0";
  s.oid = "oid-8c1f-4b7e";
  s.tid = "6f1e0c2a";
  s.name = "Ada Lovelace";
  s.email = "ada@example.org";
  s.groups = {"group-ops"};
  s.created = std::chrono::duration_cast<std::chrono::seconds>(clock.wall().time_since_epoch()).count();
  s.last_seen = s.created;
  s.id_token = "eyJ.id-token.sig";
  s.access_token = "eyJ.access-token.sig";
  s.refresh_token = "0.refresh-token-secret";
  return s;
}

std::string other_secret() { return crypto::base64url_encode(crypto::random_bytes(32)); }

class RedisStoreTest : public ::testing::Test {
 protected:
  config::Redis cfg(const testing::RedisServer& server) const {
    config::Redis c;
    c.port = server.port();
    c.timeout = 2s;
    return c;
  }
  std::string save(RedisStore& store, const SessionData& s) {
    auto v = run(io_, store.save(s));
    EXPECT_TRUE(v);
    return v.value_or("");
  }

  core::FakeClock clock_;
  asio::io_context io_;
  testing::RedisServer server_;
};

TEST(Ticket, parse_table) {
  std::string id = crypto::random_token(16), secret = other_secret();
  ASSERT_TRUE(parse_ticket(id + "." + secret));
  struct Case {
    const char* name;
    std::string value;
  };
  const Case bad[] = {
      {"empty", ""},
      {"id_only", id},
      {"no_secret", id + "."},
      {"secret_only", "." + secret},
      {"short_id", id.substr(1) + "." + secret + "A"},
      {"long_secret", id + "." + secret + "A"},
      {"two_dots", id + ".." + secret.substr(1)},
      {"padded", id.substr(0, 20) + "==." + secret},
      {"standard_alphabet", id.substr(0, 21) + "+." + secret},
      {"space", id.substr(0, 21) + " ." + secret},
      {"non_canonical_id", id.substr(0, 21) + "B." + secret},  // last char carries 4 unused bits
      {"non_canonical_secret", id + "." + secret.substr(0, 42) + "B"},
      {"nul", id.substr(0, 21) + std::string(1, '\0') + "." + secret},
  };
  for (const auto& c : bad) EXPECT_FALSE(parse_ticket(c.value)) << c.name;
  EXPECT_TRUE(is_ticket_id(id));
  EXPECT_FALSE(is_ticket_id(id + "A"));
  EXPECT_FALSE(is_ticket_id("vigie:session:x"));
}

TEST_F(RedisStoreTest, ticket_is_id_dot_secret_and_the_id_names_the_session) {
  RedisStore store(cfg(server_), kLifetime, clock_);
  std::string v = save(store, sample(clock_));
  auto t = parse_ticket(v);
  ASSERT_TRUE(t);
  auto s = run(io_, store.load(v));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->id, t->id);
  EXPECT_EQ(Raw(server_).command({"EXISTS", "vigie:session:" + t->id}), "1");
}

TEST_F(RedisStoreTest, dump_reveals_neither_identity_nor_tokens_nor_the_secret) {
  RedisStore store(cfg(server_), kLifetime, clock_);
  SessionData s = sample(clock_);
  std::string v = save(store, s);
  auto t = parse_ticket(v);
  ASSERT_TRUE(t);
  Raw raw(server_);
  EXPECT_EQ(raw.command({"KEYS", "*"}), "vigie:session:" + t->id + "\n");
  std::string dump = raw.command({"GET", "vigie:session:" + t->id});
  std::string secret_raw(reinterpret_cast<const char*>(t->secret.data()), t->secret.size());
  for (const auto& needle : {s.oid, s.email, s.name, s.tid, s.groups[0], s.id_token, s.access_token,
                             s.refresh_token, std::string("\"oid\""), secret_raw, v.substr(23)}) {
    EXPECT_EQ(dump.find(needle), std::string::npos) << needle;
  }
}

TEST_F(RedisStoreTest, record_copied_under_another_id_does_not_open) {
  RedisStore store(cfg(server_), kLifetime, clock_);
  auto t = parse_ticket(save(store, sample(clock_)));
  ASSERT_TRUE(t);
  Raw raw(server_);
  std::string record = raw.command({"GET", "vigie:session:" + t->id});
  std::string moved = crypto::random_token(16);
  raw.command({"SET", "vigie:session:" + moved, record});
  std::string secret = crypto::base64url_encode(
      std::string_view(reinterpret_cast<const char*>(t->secret.data()), t->secret.size()));
  // The right secret, another id: the id is the sealed record's additional data.
  EXPECT_EQ(run(io_, store.load(moved + "." + secret)).error(), StoreError::NotFound);
}

TEST_F(RedisStoreTest, record_expires_with_the_session) {
  RedisStore store(cfg(server_), kLifetime, clock_);
  SessionData s = sample(clock_);
  s.created -= 3600;  // signed in an hour ago: 11 hours left
  std::string v = save(store, s);
  Raw raw(server_);
  std::string key = "vigie:session:" + v.substr(0, 22);
  int64_t pttl = std::stoll(raw.command({"PTTL", key}));
  EXPECT_GT(pttl, std::chrono::milliseconds(11h - 1min).count());
  EXPECT_LE(pttl, std::chrono::milliseconds(11h).count());

  clock_.advance(2h);  // an update keeps the absolute end, it does not extend it
  auto loaded = run(io_, store.load(v));
  ASSERT_TRUE(loaded);
  ASSERT_TRUE(run(io_, store.update(v, *loaded)));
  EXPECT_LE(std::stoll(raw.command({"PTTL", key})), std::chrono::milliseconds(9h).count());
}

TEST_F(RedisStoreTest, session_past_its_lifetime_is_not_stored) {
  RedisStore store(cfg(server_), kLifetime, clock_);
  std::string v = save(store, sample(clock_));
  auto s = run(io_, store.load(v));
  ASSERT_TRUE(s);
  clock_.advance(kLifetime + 1s);
  EXPECT_EQ(run(io_, store.save(*s)).error(), StoreError::NotFound);
  EXPECT_EQ(run(io_, store.update(v, *s)).error(), StoreError::NotFound);
}

// The id alone (audit logs show it) must not let anyone overwrite a session or sign its user out.
TEST_F(RedisStoreTest, id_with_another_secret_can_neither_update_nor_erase) {
  RedisStore store(cfg(server_), kLifetime, clock_);
  SessionData s = sample(clock_);
  std::string v = save(store, s);
  std::string forged = v.substr(0, 23) + other_secret();
  SessionData evil = s;
  evil.oid = "attacker";
  EXPECT_EQ(run(io_, store.update(forged, evil)).error(), StoreError::NotFound);
  run(io_, store.erase(forged));
  auto back = run(io_, store.load(v));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->oid, s.oid);
}

TEST_F(RedisStoreTest, lock_lapses_by_itself_and_needs_a_ticket_id) {
  RedisStore store(cfg(server_), kLifetime, clock_);
  std::string v = save(store, sample(clock_));
  std::string id = v.substr(0, 22);
  ASSERT_TRUE(run(io_, store.try_lock(id, 1500ms))->has_value());
  int64_t pttl = std::stoll(Raw(server_).command({"PTTL", "vigie:session:" + id + ":lock"}));
  EXPECT_GT(pttl, 0);
  EXPECT_LE(pttl, 1500);
  EXPECT_EQ(run(io_, store.try_lock("not-an-id", 1s)).error(), StoreError::NotFound);
  EXPECT_EQ(run(io_, store.revoke("vigie:session:*")).error(), StoreError::NotFound);
}

TEST_F(RedisStoreTest, database_is_selected) {
  config::Redis c = cfg(server_);
  c.db = 3;
  RedisStore store(c, kLifetime, clock_);
  std::string v = save(store, sample(clock_));
  std::string key = "vigie:session:" + v.substr(0, 22);
  EXPECT_EQ(Raw(server_, 3).command({"EXISTS", key}), "1");
  EXPECT_EQ(Raw(server_, 0).command({"EXISTS", key}), "0");
  EXPECT_TRUE(run(io_, store.load(v)));

  c.db = 99;  // out of range: SELECT refused
  RedisStore bad(c, kLifetime, clock_);
  EXPECT_EQ(run(io_, bad.load(v)).error(), StoreError::Unavailable);
}

TEST(RedisStorePassword, required_password_works_and_a_wrong_one_is_unavailable) {
  testing::RedisServer server("p@ss word \\ with \" quotes");
  core::FakeClock clock;
  asio::io_context io;
  config::Redis c;
  c.port = server.port();
  c.password = config::Secret{"file /run/secrets/redis", server.password()};
  RedisStore store(c, kLifetime, clock);
  auto v = run(io, store.save(sample(clock)));
  ASSERT_TRUE(v);
  EXPECT_TRUE(run(io, store.load(*v)));

  c.password->value = "wrong";
  RedisStore wrong(c, kLifetime, clock);
  EXPECT_EQ(run(io, wrong.load(*v)).error(), StoreError::Unavailable);
  EXPECT_EQ(run(io, wrong.save(sample(clock))).error(), StoreError::Unavailable);

  c.password.reset();
  RedisStore none(c, kLifetime, clock);
  EXPECT_EQ(run(io, none.load(*v)).error(), StoreError::Unavailable);
}

TEST_F(RedisStoreTest, nothing_listening_is_unavailable_at_once) {
  RedisStore store(cfg(server_), kLifetime, clock_);
  server_.kill();
  auto start = Steady::now();
  EXPECT_EQ(run(io_, store.save(sample(clock_))).error(), StoreError::Unavailable);
  EXPECT_EQ(run(io_, store.load("AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).error(),
            StoreError::Unavailable);
  EXPECT_LT(Steady::now() - start, 2s);  // refused, not timed out
}

TEST_F(RedisStoreTest, killed_is_unavailable_then_restarted_works_again) {
  RedisStore store(cfg(server_), kLifetime, clock_);
  std::string v = save(store, sample(clock_));
  server_.kill();
  auto start = Steady::now();
  EXPECT_EQ(run(io_, store.load(v)).error(), StoreError::Unavailable);
  EXPECT_LT(Steady::now() - start, 2s);
  server_.start();  // same port, empty: no persistence
  EXPECT_EQ(run(io_, store.load(v)).error(), StoreError::NotFound);
  std::string v2 = save(store, sample(clock_));
  EXPECT_TRUE(run(io_, store.load(v2)));
}

// A Redis that accepts connections but never answers: each command ends at the timeout.
TEST_F(RedisStoreTest, hung_redis_is_unavailable_after_the_timeout) {
  config::Redis c = cfg(server_);
  c.timeout = 300ms;
  RedisStore store(c, kLifetime, clock_);
  std::string v = save(store, sample(clock_));
  server_.pause();
  for (int i = 0; i < 2; ++i) {  // on the open connection, then on a new one (backlog accepts)
    auto start = Steady::now();
    EXPECT_EQ(run(io_, store.load(v)).error(), StoreError::Unavailable);
    auto took = Steady::now() - start;
    EXPECT_GE(took, 300ms);
    EXPECT_LT(took, 1500ms);
  }
  server_.resume();
  EXPECT_TRUE(run(io_, store.load(v)));
}

TEST_F(RedisStoreTest, connection_closed_by_redis_while_idle_is_replaced) {
  RedisStore store(cfg(server_), kLifetime, clock_);
  std::string v = save(store, sample(clock_));
  Raw raw(server_);
  EXPECT_EQ(raw.command({"CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"}), "1");
  // The idle connection's pending read is the only work left: it sees the close.
  io_.restart();
  EXPECT_EQ(io_.run_one_for(5s), 1u);
  EXPECT_TRUE(run(io_, store.load(v)));
}

TEST_F(RedisStoreTest, concurrent_requests_on_a_worker_share_one_pipelined_connection) {
  RedisStore store(cfg(server_), kLifetime, clock_);
  int ok = 0, pending = 64;
  for (int i = 0; i < 64; ++i) {
    asio::co_spawn(
        io_,
        [&, i]() -> asio::awaitable<void> {
          SessionData s = sample(clock_);
          s.name = "user " + std::to_string(i);
          auto v = co_await store.save(s);
          if (v) {
            auto back = co_await store.load(*v);
            if (back && back->name == s.name) ++ok;
          }
          if (--pending == 0) io_.stop();
        },
        asio::detached);
  }
  io_.run();
  EXPECT_EQ(ok, 64);
  EXPECT_EQ(Raw(server_).connected_clients(), 2);  // the worker's and this one
}

TEST_F(RedisStoreTest, each_worker_has_its_own_connection) {
  RedisStore store(cfg(server_), kLifetime, clock_);
  std::atomic<int> ok = 0;
  std::vector<std::unique_ptr<asio::io_context>> workers;
  for (int w = 0; w < 3; ++w) workers.push_back(std::make_unique<asio::io_context>());
  std::vector<std::thread> threads;
  for (auto& io : workers) {
    threads.emplace_back([&, ctx = io.get()] {
      for (int i = 0; i < 30; ++i) {
        auto v = run(*ctx, store.save(sample(clock_)));
        if (v && run(*ctx, store.load(*v))) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 90);
  EXPECT_EQ(Raw(server_).connected_clients(), 4);
  workers.clear();  // a worker's io_context takes its connections with it
  Raw raw(server_);
  for (int i = 0; i < 100 && raw.connected_clients() > 1; ++i) raw.command({"PING"});  // close is async on the server
  EXPECT_EQ(raw.connected_clients(), 1);
}

}  // namespace
}  // namespace vigie::session
