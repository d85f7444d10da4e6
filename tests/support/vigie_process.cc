#include "support/vigie_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "support/client.h"


namespace vigie::testing {

std::string make_temp_dir() {
  char tmpl[] = "/tmp/vigie-test-XXXXXX";
  if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

int run_command(const std::string& cmd, std::string* output) {
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return -1;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) {
    if (output) output->append(buf.data(), n);
  }
  int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

VigieProcess::VigieProcess(const std::string& yaml) : dir_(make_temp_dir()) {
  rewrite_config(yaml);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  std::string binary = VIGIE_BINARY, config = config_path(), out = dir_ + "/stdout", err = dir_ + "/stderr";
  pid_ = ::fork();
  if (pid_ == 0) {
    // dup2 clears O_CLOEXEC on the copy, but is a no-op when the pipe already is fd 3.
    if (fds[1] == 3) ::fcntl(3, F_SETFD, 0);
    else ::dup2(fds[1], 3);
    int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(o, 1);
    ::dup2(e, 2);
    ::execl(binary.c_str(), binary.c_str(), "run", "--config", config.c_str(), "--ready-fd", "3", nullptr);
    ::_exit(127);
  }
  ::close(fds[1]);
  pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
  // Blocks on the pipe until Vigie writes its readiness line; EOF first means it failed to start.
  std::string line;
  pollfd pfd{fds[0], POLLIN, 0};
  char buf[512];
  while (line.find('\n') == std::string::npos && ::poll(&pfd, 1, 30000) > 0) {
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n <= 0) break;
    line.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  if (line.find('\n') == std::string::npos) {
    throw std::runtime_error("vigie did not become ready: " + stderr_text());
  }
  auto j = nlohmann::json::parse(line);
  admin_port_ = j["admin"].get<uint16_t>();
  for (auto& [name, port] : j["listeners"].items()) ports_[name] = port.get<uint16_t>();
}

VigieProcess::~VigieProcess() {
  if (!exited_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (pidfd_ >= 0) ::close(pidfd_);
  std::string ignored;
  if (!std::getenv("VIGIE_KEEP_TEST_DIRS")) run_command("rm -rf " + dir_, &ignored);
}

void VigieProcess::signal(int sig) const { ::kill(pid_, sig); }

void VigieProcess::rewrite_config(const std::string& yaml) const {
  // Write then rename, so a reload never reads a half-written file.
  std::string tmp = dir_ + "/vigie.yaml.tmp";
  std::ofstream(tmp) << yaml;
  std::rename(tmp.c_str(), config_path().c_str());
}

std::optional<int> VigieProcess::wait_exit(std::chrono::seconds timeout) {
  pollfd pfd{pidfd_, POLLIN, 0};
  if (::poll(&pfd, 1, static_cast<int>(timeout.count() * 1000)) <= 0) return std::nullopt;
  int status = 0;
  ::waitpid(pid_, &status, 0);
  exited_ = true;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

size_t VigieProcess::status_field(const char* name) const {
  std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name, 0) == 0) return std::stoul(line.substr(std::string(name).size()));
  }
  return 0;
}

size_t VigieProcess::rss_kib() const { return status_field("VmRSS:"); }
size_t VigieProcess::peak_rss_kib() const { return status_field("VmHWM:"); }

std::string VigieProcess::admin_get(const std::string& path) const {
  auto r = http_request(admin_port_, "GET", path);
  return r ? r->body() : "";
}

double VigieProcess::metric(const std::string& series) const {
  std::istringstream in(admin_get("/metrics"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

double VigieProcess::wait_metric(const std::string& series, double value, std::chrono::seconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  double v = metric(series);
  while (v < value && std::chrono::steady_clock::now() < deadline) v = metric(series);  // one HTTP round trip each
  return v;
}

std::string VigieProcess::stderr_text() const {
  std::ifstream in(dir_ + "/stderr");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace vigie::testing
