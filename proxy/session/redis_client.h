// A Redis client for one worker: RESP over an Asio TCP socket on the worker's io_context, replies
// parsed by hiredis' reader. Commands from concurrent coroutines are pipelined on one connection.
// Each io_context holds its clients in an Asio service (for_executor()), so a connection lives and
// dies with its worker and is only ever touched by the thread running that io_context.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

struct redisReader;

namespace vigie::session {

// Where and how to reach Redis. Immutable; the store shares it with every worker's client.
struct RedisSettings {
  std::string host;
  uint16_t port = 6379;
  std::string password;  // empty: no AUTH. Never logged.
  uint32_t db = 0;
  std::chrono::milliseconds timeout{1000};  // per command, connecting included
};

enum class RedisError {
  Connect,   // could not resolve or connect, or the connection broke
  Auth,      // AUTH or SELECT refused: wrong password, no password expected, db out of range
  Timeout,   // no reply before the deadline, or the caller stopped waiting
  Protocol,  // bytes that are not RESP, a reply too large, or a reply nobody asked for
};

struct RedisReply {
  enum class Kind { Status, Error, Integer, Nil, String, Array };
  Kind kind = Kind::Nil;
  std::string str;  // Status, Error, String
  int64_t integer = 0;
  std::vector<RedisReply> elements;  // Array
};

// Replies out of a RESP byte stream. Bounded: a reply claiming more than kMaxElements elements, or
// more than kMaxBuffered bytes waiting to be parsed, is a protocol error (hiredis 0.14 itself
// would calloc whatever count the peer announces). One stream per parser; any thread.
class RespParser {
 public:
  static constexpr size_t kMaxBuffered = 1 << 20;
  static constexpr int kMaxElements = 1024;

  RespParser();
  ~RespParser();
  RespParser(const RespParser&) = delete;
  RespParser& operator=(const RespParser&) = delete;

  // False when the bytes would exceed kMaxBuffered: the stream is unusable.
  [[nodiscard]] bool feed(std::string_view bytes);
  // The next complete reply, nullopt until more bytes arrive; Protocol when the stream is broken.
  [[nodiscard]] core::Result<std::optional<RedisReply>, RedisError> next();

 private:
  redisReader* reader_;
};

// The RESP encoding of a command (an array of bulk strings: binary-safe, nothing to escape).
[[nodiscard]] std::string format_command(std::span<const std::string_view> args);

class RedisLink;

class RedisClient {
 public:
  RedisClient(boost::asio::any_io_executor ex, RedisSettings settings);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // The client for `settings` on the io_context behind `ex`, created on first use. `settings` is
  // owned by a store; clients of stores since destroyed (a config reload) are dropped on the way.
  [[nodiscard]] static std::shared_ptr<RedisClient> for_executor(const boost::asio::any_io_executor& ex,
                                                                 const std::shared_ptr<const RedisSettings>& settings);

  // Sends one command and returns its reply (possibly a Redis error reply) or why none came within
  // the timeout. Without a live connection, connects first (AUTH, SELECT); a failed connection is
  // replaced on the next call, so Redis coming back needs no restart. The arguments are encoded
  // before this returns.
  [[nodiscard]] boost::asio::awaitable<core::Result<RedisReply, RedisError>> command(
      std::span<const std::string_view> args);

 private:
  static boost::asio::awaitable<core::Result<RedisReply, RedisError>> send(
      std::shared_ptr<RedisLink> link, std::string frame, std::chrono::steady_clock::time_point deadline);

  boost::asio::any_io_executor ex_;
  std::shared_ptr<const RedisSettings> settings_;
  std::shared_ptr<RedisLink> link_;
};

}  // namespace vigie::session
