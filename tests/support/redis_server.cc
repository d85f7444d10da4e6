#include "support/redis_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "support/vigie_process.h"

extern char** environ;

namespace vigie::testing {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kStartTimeout = std::chrono::seconds(10);

sockaddr_in loopback(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

// Redis cannot be told to bind port 0 and report it, so the kernel picks a free port here and it
// is released for Redis to bind a moment later. Another process could take it in between; start
// then fails, and the constructor tries another port.
uint16_t reserve_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a = loopback(0);
  socklen_t len = sizeof a;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("cannot reserve a loopback port");
  }
  ::close(fd);
  return ntohs(a.sin_port);
}

// One PING: "+PONG", or "-NOAUTH" from a server that wants a password, means it is serving.
bool answers_ping(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in a = loopback(port);
  std::string got;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::send(fd, "PING\r\n", 6, MSG_NOSIGNAL) == 6) {
    pollfd p{fd, POLLIN, 0};
    char buf[128];
    while (got.find("\r\n") == std::string::npos && ::poll(&p, 1, 5000) > 0) {
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      got.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return got.starts_with("+PONG") || got.starts_with("-NOAUTH");
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

RedisServer::RedisServer(std::string password) : dir_(make_temp_dir()), password_(std::move(password)) {
  if (!password_.empty()) {
    // In a 0600 file, not on the command line where `ps` would show it.
    std::string conf = dir_ + "/redis.conf";
    std::string quoted = "\"";
    for (char c : password_) {
      if (c == '"' || c == '\\') quoted += '\\';
      quoted += c;
    }
    ::close(::open(conf.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600));  // 0600 before a byte is written
    std::ofstream(conf) << "requirepass " << quoted << "\"\n";
  }
  for (int attempt = 0;; ++attempt) {
    port_ = reserve_port();
    try {
      launch();
      return;
    } catch (const std::exception&) {
      if (attempt == 4) {
        std::filesystem::remove_all(dir_);
        throw;
      }
    }
  }
}

RedisServer::~RedisServer() {
  kill();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void RedisServer::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);  // also ends a paused (stopped) process
  ::waitpid(pid_, nullptr, 0);
  ::close(pidfd_);
  pid_ = -1;
  pidfd_ = -1;
}

void RedisServer::start() {
  if (pid_ > 0) return;
  launch();
}

void RedisServer::pause() {
  ::kill(pid_, SIGSTOP);
  int status = 0;
  ::waitpid(pid_, &status, WUNTRACED);  // returns once it is actually stopped
}

void RedisServer::resume() { ::kill(pid_, SIGCONT); }

void RedisServer::launch() {
  std::string notify_path = dir_ + "/notify", log = dir_ + "/redis.log";
  ::unlink(notify_path.c_str());
  int notify = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  std::strncpy(sun.sun_path, notify_path.c_str(), sizeof sun.sun_path - 1);
  if (notify < 0 || ::bind(notify, reinterpret_cast<sockaddr*>(&sun), sizeof sun) != 0) {
    if (notify >= 0) ::close(notify);
    throw std::runtime_error("cannot bind the notify socket " + notify_path);
  }

  // Built before fork: the child only calls async-signal-safe functions.
  std::vector<std::string> args{"redis-server"};
  if (!password_.empty()) args.push_back(dir_ + "/redis.conf");
  args.insert(args.end(), {"--port", std::to_string(port_), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                           "--dir", dir_, "--logfile", log, "--supervised", "systemd", "--daemonize", "no"});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::string notify_env = "NOTIFY_SOCKET=" + notify_path;
  std::vector<char*> envp;
  for (char** e = environ; *e; ++e) {
    if (!std::string_view(*e).starts_with("NOTIFY_SOCKET=")) envp.push_back(*e);
  }
  envp.push_back(notify_env.data());
  envp.push_back(nullptr);

  pid_ = ::fork();
  if (pid_ == 0) {
    int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::execvpe("redis-server", argv.data(), envp.data());
    ::_exit(127);
  }
  pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));

  // Blocks on the two events that matter: Redis saying READY=1, or Redis exiting (a port taken
  // meanwhile, a bad option).
  bool ready = false;
  auto deadline = Clock::now() + kStartTimeout;
  while (!ready) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd fds[2] = {{notify, POLLIN, 0}, {pidfd_, POLLIN, 0}};
    if (left <= 0 || ::poll(fds, 2, static_cast<int>(left)) <= 0 || (fds[1].revents & POLLIN)) break;
    char buf[512];
    ssize_t n = ::recv(notify, buf, sizeof buf, 0);
    if (n > 0 && std::string_view(buf, static_cast<size_t>(n)).find("READY=1") != std::string_view::npos) {
      ready = true;
    }
  }
  ::close(notify);
  ::unlink(notify_path.c_str());
  if (!ready || !answers_ping(port_)) {
    kill();
    throw std::runtime_error("redis-server did not become ready on port " + std::to_string(port_) + ": " +
                             read_file(log));
  }
}

}  // namespace vigie::testing
