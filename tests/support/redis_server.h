// A real redis-server for a test: a child process on a free loopback port, with no persistence,
// optionally requiring a password (written to a 0600 config file, never on the command line).
// start() blocks until Redis says it is ready through the systemd notify protocol
// (`--supervised systemd`, NOTIFY_SOCKET) and answers a PING — no polling, no sleeps. The test can
// kill, restart (same port), pause and resume it. The destructor kills and reaps it. Test thread only.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace vigie::testing {

class RedisServer {
 public:
  // Starts at once. `password` empty: no requirepass.
  explicit RedisServer(std::string password = {});
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  [[nodiscard]] uint16_t port() const { return port_; }
  [[nodiscard]] const std::string& password() const { return password_; }
  [[nodiscard]] bool running() const { return pid_ > 0; }

  // SIGKILL and reap: Redis is down, connections are reset.
  void kill();
  // Starts again on the same port (after kill()), empty. Throws if it does not become ready.
  void start();
  // SIGSTOP / SIGCONT: connections are still accepted by the kernel but never answered.
  void pause();
  void resume();

 private:
  void launch();  // one attempt; throws on failure

  std::string dir_;
  std::string password_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
  int pidfd_ = -1;
};

}  // namespace vigie::testing
