// A real HTTP/1.1 upstream for tests and the demo, run in-process on its own thread and port: it
// records every request it receives (method, target, headers, body size and SHA-256) so tests can
// assert on what the upstream saw. Paths: /bytes/N[?chunked=1] streams N bytes, /status/N answers N,
// /hold waits for release_holds(), /close answers with a close-delimited body, /ws is a WebSocket
// echo (plain only), /openmrs/ws/rest/v1/... a tiny fake OpenMRS; anything else echoes the request
// as JSON. Thread-safe accessors.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace vigie::testing {

struct Recorded {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  uint64_t body_bytes = 0;
  std::string body_sha256;
  bool chunked = false;
  uint64_t connection = 0;  // which upstream-side connection carried it (1, 2, …)
  [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
  [[nodiscard]] size_t count(std::string_view name) const;
};

// Byte i of every streamed body: deterministic so both ends can checksum without storing it.
[[nodiscard]] inline char pattern_byte(uint64_t i) { return static_cast<char>('a' + (i * 7 + i / 4096) % 26); }

class RecordingUpstream {
 public:
  struct Options {
    std::string cert_file;  // TLS when both are set
    std::string key_file;
    std::string address = "127.0.0.1";
    uint16_t port = 0;
  };
  explicit RecordingUpstream(Options options);
  RecordingUpstream();
  ~RecordingUpstream();

  [[nodiscard]] uint16_t port() const { return port_; }
  [[nodiscard]] std::vector<Recorded> requests() const;
  [[nodiscard]] size_t count() const;
  // Blocks until at least n requests have arrived (or the timeout passes); returns whether they did.
  bool wait_for(size_t n, std::chrono::seconds timeout = std::chrono::seconds(20)) const;
  // Blocks until at least n /hold requests are waiting.
  bool wait_for_holds(size_t n, std::chrono::seconds timeout = std::chrono::seconds(20)) const;
  void release_holds();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
};

}  // namespace vigie::testing
