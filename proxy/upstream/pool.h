// Per-worker pools of idle keep-alive upstream connections, keyed by endpoint, and the count of open
// connections per cluster that enforces max_connections. Owned by one worker and touched only on its
// thread: no locks. Connections decrement their cluster's count when destroyed, so the Pool must
// outlive every Connection (the worker declares it before its io_context).
#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>

#include "core/clock.h"
#include "net/stream.h"

namespace vigie::upstream {

struct Connection {
  Connection(net::Stream s, uint32_t* open_count) : stream(std::move(s)), open_count_(open_count) {
    ++*open_count_;
    // Beast reads min(capacity, 64 KiB): an empty buffer would read a response 512 bytes at a time.
    buffer.reserve(16384);
  }
  ~Connection() { --*open_count_; }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  net::Stream stream;
  boost::beast::flat_buffer buffer;
  std::chrono::steady_clock::time_point idle_since{};
  bool reused = false;

 private:
  uint32_t* open_count_;
};

class Pool {
 public:
  explicit Pool(const core::Clock& clock) : clock_(clock) {}
  // An idle connection to `key` that is still open and younger than `idle_timeout`, or null.
  [[nodiscard]] std::unique_ptr<Connection> take(std::string_view key, std::chrono::milliseconds idle_timeout);
  void give(std::string_view key, std::unique_ptr<Connection> c, std::chrono::milliseconds idle_timeout);
  // The open-connection counter of a cluster (idle and busy), stable for the pool's life.
  [[nodiscard]] uint32_t* open_count(const std::string& cluster) { return &open_[cluster]; }
  // Round-robin position for a cluster's endpoints.
  [[nodiscard]] size_t next_endpoint(const std::string& cluster, size_t endpoints) {
    return rr_[cluster]++ % endpoints;
  }
  // Closes every idle connection (drain).
  void clear() { idle_.clear(); }
  [[nodiscard]] size_t idle_count() const;

 private:
  const core::Clock& clock_;
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::deque<std::unique_ptr<Connection>>, Hash, std::equal_to<>> idle_;
  std::unordered_map<std::string, uint32_t> open_;
  std::unordered_map<std::string, size_t> rr_;
};

}  // namespace vigie::upstream
