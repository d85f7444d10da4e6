// An in-process Loki for tests (127.0.0.1, port 0, own thread, optional TLS) speaking the push API
// as Loki does: POST /loki/api/v1/push, JSON only with Content-Type application/json; 204 stored;
// 400 with a text body naming refused entries (the rest of the push is stored, as Loki's distributor
// does); 429/500 on demand; 401 without X-Scope-OrgID when a tenant is required; GET /ready is 200.
// Records entries and push headers; can go down (connection refused) and come back on the same
// port. Any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace vigie::testing {

class FakeLoki {
 public:
  struct Options {
    std::string cert_file;  // https when both are set
    std::string key_file;
    bool require_tenant = false;  // Loki's auth_enabled: a push without X-Scope-OrgID gets 401
  };
  struct Entry {
    std::map<std::string, std::string> labels;
    int64_t ts_ns = 0;
    std::string line;
  };
  struct Push {
    std::map<std::string, std::string> headers;  // names in lower case
    int status = 0;                               // what the fake answered
    size_t entries = 0;                           // entries in the request
  };

  FakeLoki();
  explicit FakeLoki(Options o);
  ~FakeLoki();
  FakeLoki(const FakeLoki&) = delete;
  FakeLoki& operator=(const FakeLoki&) = delete;

  [[nodiscard]] uint16_t port() const;
  [[nodiscard]] std::string url() const;  // "http(s)://127.0.0.1:<port>" (https: "localhost")

  // The next `count` pushes are answered `status` (429, 500, 503...) and nothing is stored.
  void fail_next(int status, int count);
  // Entries whose line contains `marker` are refused with a 400, as Loki refuses a line too long.
  void reject_lines_containing(std::string marker);
  // Closes the listener (new connections are refused) / listens again on the same port.
  void go_down();
  void come_back();

  // Blocks until at least n entries are stored; false when the timeout passes first.
  bool wait_entries(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;
  // Blocks until at least n pushes were answered (whatever the status).
  bool wait_pushes(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;
  [[nodiscard]] std::vector<Entry> entries() const;
  [[nodiscard]] std::vector<Push> pushes() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigie::testing
