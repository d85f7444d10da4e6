#include "session/redis_client.h"

#include <hiredis/hiredis.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <array>
#include <deque>
#include <new>

namespace vigie::session {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// hiredis builds replies through these callbacks, so the tree is ours from the start: a child is
// written in place into its parent's elements (sized once, never reallocated), and the element
// count a peer announces is checked before anything is allocated for it.
RedisReply* place(const redisReadTask* task) {
  if (task->parent == nullptr) return new (std::nothrow) RedisReply;
  auto* parent = static_cast<RedisReply*>(task->parent->obj);
  return &parent->elements[static_cast<size_t>(task->idx)];
}

void* create_string(const redisReadTask* task, char* str, size_t len) {
  RedisReply* r = place(task);
  if (r == nullptr) return nullptr;
  r->kind = task->type == REDIS_REPLY_ERROR    ? RedisReply::Kind::Error
            : task->type == REDIS_REPLY_STATUS ? RedisReply::Kind::Status
                                               : RedisReply::Kind::String;
  try {
    r->str.assign(str, len);
  } catch (...) {
    if (task->parent == nullptr) delete r;
    return nullptr;  // hiredis reports out of memory; never unwind through C frames
  }
  return r;
}

void* create_array(const redisReadTask* task, int elements) {
  if (elements < 0 || elements > RespParser::kMaxElements) return nullptr;
  RedisReply* r = place(task);
  if (r == nullptr) return nullptr;
  r->kind = RedisReply::Kind::Array;
  try {
    r->elements.resize(static_cast<size_t>(elements));
  } catch (...) {
    if (task->parent == nullptr) delete r;
    return nullptr;
  }
  return r;
}

void* create_integer(const redisReadTask* task, long long value) {
  RedisReply* r = place(task);
  if (r == nullptr) return nullptr;
  r->kind = RedisReply::Kind::Integer;
  r->integer = value;
  return r;
}

void* create_nil(const redisReadTask* task) {
  RedisReply* r = place(task);
  if (r == nullptr) return nullptr;
  r->kind = RedisReply::Kind::Nil;
  return r;
}

// Called on the root only: children live inside it.
void free_object(void* obj) { delete static_cast<RedisReply*>(obj); }

redisReplyObjectFunctions kFunctions = {create_string, create_array, create_integer, create_nil, free_object};

}  // namespace

RespParser::RespParser() : reader_(redisReaderCreateWithFunctions(&kFunctions)) {
  if (reader_ == nullptr) throw std::bad_alloc();
}

RespParser::~RespParser() { redisReaderFree(reader_); }

bool RespParser::feed(std::string_view bytes) {
  if (reader_->len - reader_->pos + bytes.size() > kMaxBuffered) return false;
  return redisReaderFeed(reader_, bytes.data(), bytes.size()) == REDIS_OK;
}

core::Result<std::optional<RedisReply>, RedisError> RespParser::next() {
  void* out = nullptr;
  if (redisReaderGetReply(reader_, &out) != REDIS_OK) return core::fail(RedisError::Protocol);
  if (out == nullptr) return std::optional<RedisReply>();
  std::unique_ptr<RedisReply> r(static_cast<RedisReply*>(out));
  return std::optional<RedisReply>(std::move(*r));
}

std::string format_command(std::span<const std::string_view> args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (auto a : args) {
    out += "$" + std::to_string(a.size()) + "\r\n";
    out += a;
    out += "\r\n";
  }
  return out;
}

// One TCP connection and the replies it owes, in order. A link that fails is dead for good: every
// command waiting on it gets the error, and the client opens a new link on the next call. Bytes
// read after a failure can never be taken for the reply to a later command.
class RedisLink : public std::enable_shared_from_this<RedisLink> {
 public:
  RedisLink(asio::any_io_executor ex, std::shared_ptr<const RedisSettings> settings)
      : ex_(ex), settings_(std::move(settings)), socket_(ex), resolver_(ex) {}

  void start() {
    // AUTH and SELECT go first in the pipeline; commands queued behind them are only answered
    // after them, and a refusal fails the link before any of those replies is looked at.
    if (!settings_->password.empty()) {
      std::array<std::string_view, 2> auth{"AUTH", settings_->password};
      queue(format_command(auth), nullptr);
    }
    if (settings_->db != 0) {
      std::string db = std::to_string(settings_->db);
      std::array<std::string_view, 2> select{"SELECT", db};
      queue(format_command(select), nullptr);
    }
    asio::co_spawn(ex_, run(shared_from_this()), asio::detached);
  }

  [[nodiscard]] bool dead() const { return dead_; }

  asio::awaitable<core::Result<RedisReply, RedisError>> call(std::string frame,
                                                             std::chrono::steady_clock::time_point deadline) {
    if (dead_) co_return core::fail(why_);
    auto w = std::make_shared<Waiter>(ex_, deadline);
    queue(std::move(frame), w);
    if (connected_) kick_writer();
    auto [ec] = co_await w->timer.async_wait(kTuple);
    if (w->result) co_return std::move(*w->result);
    // The deadline passed. The reply may still come and would answer the next command in line,
    // and Redis is too slow to be worth waiting for: drop the connection.
    if (!ec) fail(RedisError::Timeout);
    // Otherwise the caller was cancelled; the slot stays queued and its reply is discarded.
    if (w->result) co_return std::move(*w->result);
    co_return core::fail(RedisError::Timeout);
  }

 private:
  struct Waiter {
    Waiter(asio::any_io_executor ex, std::chrono::steady_clock::time_point deadline) : timer(ex, deadline) {}
    asio::steady_timer timer;  // expires at the deadline; cancelled to wake the caller early
    std::optional<core::Result<RedisReply, RedisError>> result;
  };
  struct Slot {
    std::shared_ptr<Waiter> waiter;  // null for AUTH and SELECT
  };

  void queue(std::string frame, std::shared_ptr<Waiter> w) {
    out_ += frame;
    slots_.push_back({std::move(w)});
  }

  // One writer at a time: set before the coroutine starts, since co_spawn only posts it.
  void kick_writer() {
    if (writing_) return;
    writing_ = true;
    asio::co_spawn(ex_, write_loop(shared_from_this()), asio::detached);
  }

  void fail(RedisError why) {
    if (dead_) return;
    dead_ = true;
    why_ = why;
    boost::system::error_code ignored;
    resolver_.cancel();
    socket_.close(ignored);
    out_.clear();
    std::deque<Slot> slots;
    slots.swap(slots_);
    for (auto& s : slots) complete(s, core::fail(why));
  }

  static void complete(Slot& s, core::Result<RedisReply, RedisError> r) {
    if (!s.waiter) return;
    s.waiter->result = std::move(r);
    s.waiter->timer.cancel();
  }

  asio::awaitable<void> run(std::shared_ptr<RedisLink> /*keep_alive*/) {
    auto [rec, endpoints] =
        co_await resolver_.async_resolve(settings_->host, std::to_string(settings_->port), kTuple);
    if (dead_) co_return;
    if (rec) {
      fail(RedisError::Connect);
      co_return;
    }
    auto [cec, ep] = co_await asio::async_connect(socket_, endpoints, kTuple);
    if (dead_) co_return;
    if (cec) {
      fail(RedisError::Connect);
      co_return;
    }
    boost::system::error_code ignored;
    socket_.set_option(tcp::no_delay(true), ignored);
    socket_.set_option(asio::socket_base::keep_alive(true), ignored);
    connected_ = true;
    if (!out_.empty()) kick_writer();
    co_await read_loop();
  }

  // Always reading, even when idle, so a connection Redis closed (restart, idle timeout) is
  // noticed at once and the next command opens a new one instead of failing on the dead one.
  asio::awaitable<void> read_loop() {
    std::array<char, 16384> buf;
    for (;;) {
      auto [ec, n] = co_await socket_.async_read_some(asio::buffer(buf), kTuple);
      if (dead_) co_return;
      if (ec) {
        fail(RedisError::Connect);
        co_return;
      }
      if (auto why = consume(std::string_view(buf.data(), n))) {
        fail(*why);
        co_return;
      }
    }
  }

  // Hands each parsed reply to the oldest slot; the error that kills the link, if any.
  std::optional<RedisError> consume(std::string_view bytes) {
    if (!parser_.feed(bytes)) return RedisError::Protocol;
    for (;;) {
      auto reply = parser_.next();
      if (!reply) return RedisError::Protocol;
      if (!*reply) return std::nullopt;
      if (slots_.empty()) return RedisError::Protocol;  // a reply to nothing we asked
      Slot s = std::move(slots_.front());
      slots_.pop_front();
      if (!s.waiter && (*reply)->kind == RedisReply::Kind::Error) return RedisError::Auth;
      complete(s, std::move(**reply));
    }
  }

  asio::awaitable<void> write_loop(std::shared_ptr<RedisLink> /*keep_alive*/) {
    while (!out_.empty() && !dead_) {
      std::string chunk;
      chunk.swap(out_);
      auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(chunk), kTuple);
      if (ec) fail(RedisError::Connect);
    }
    writing_ = false;
  }

  asio::any_io_executor ex_;
  std::shared_ptr<const RedisSettings> settings_;
  tcp::socket socket_;
  tcp::resolver resolver_;
  RespParser parser_;
  std::deque<Slot> slots_;  // one per command sent or queued, in order
  std::string out_;         // queued, not yet handed to the socket
  bool connected_ = false;
  bool writing_ = false;
  bool dead_ = false;
  RedisError why_ = RedisError::Connect;
};

namespace {

// The clients of one io_context, one per live store. Touched only by the thread running it.
class RedisClients final : public asio::execution_context::service {
 public:
  static inline asio::execution_context::id id;

  explicit RedisClients(asio::execution_context& ctx) : service(ctx) {}

  std::shared_ptr<RedisClient> get(const asio::any_io_executor& ex,
                                   const std::shared_ptr<const RedisSettings>& settings) {
    std::erase_if(entries_, [](const Entry& e) { return e.owner.expired(); });
    for (const auto& e : entries_) {
      if (e.key == settings.get()) return e.client;
    }
    // The client keeps its own copy: holding the store's would keep `owner` from ever expiring.
    entries_.push_back({settings.get(), settings, std::make_shared<RedisClient>(ex, *settings)});
    return entries_.back().client;
  }

 private:
  void shutdown() override { entries_.clear(); }

  struct Entry {
    const RedisSettings* key;
    std::weak_ptr<const RedisSettings> owner;  // expired: the store is gone, so is the client
    std::shared_ptr<RedisClient> client;
  };
  std::vector<Entry> entries_;  // tiny: one store, two during a reload
};

}  // namespace

RedisClient::RedisClient(asio::any_io_executor ex, RedisSettings settings)
    : ex_(std::move(ex)), settings_(std::make_shared<const RedisSettings>(std::move(settings))) {}

RedisClient::~RedisClient() = default;

std::shared_ptr<RedisClient> RedisClient::for_executor(const asio::any_io_executor& ex,
                                                       const std::shared_ptr<const RedisSettings>& settings) {
  auto& ctx = asio::query(ex, asio::execution::context);
  return asio::use_service<RedisClients>(ctx).get(ex, settings);
}

asio::awaitable<core::Result<RedisReply, RedisError>> RedisClient::command(std::span<const std::string_view> args) {
  if (!link_ || link_->dead()) {
    link_ = std::make_shared<RedisLink>(ex_, settings_);
    link_->start();
  }
  // Encoded now: the arguments need not outlive this call. The coroutine holds the link, not the
  // client, which its io_context may destroy while the command is in flight.
  return send(link_, format_command(args), std::chrono::steady_clock::now() + settings_->timeout);
}

asio::awaitable<core::Result<RedisReply, RedisError>> RedisClient::send(std::shared_ptr<RedisLink> link,
                                                                        std::string frame,
                                                                        std::chrono::steady_clock::time_point deadline) {
  co_return co_await link->call(std::move(frame), deadline);
}

}  // namespace vigie::session
