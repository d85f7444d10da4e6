// Runs the real vigie binary for an integration test: writes the config to a private temp dir,
// starts `vigie run --ready-fd`, blocks until the readiness line arrives (no polling, no sleeps) and
// reads the bound ports from it. Signals, exit status (through a pidfd), memory from /proc. The
// destructor kills and reaps the process. Test thread only.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace vigie::testing {

class VigieProcess {
 public:
  explicit VigieProcess(const std::string& config_yaml);
  ~VigieProcess();
  VigieProcess(const VigieProcess&) = delete;
  VigieProcess& operator=(const VigieProcess&) = delete;

  [[nodiscard]] uint16_t port(const std::string& listener = "http") const { return ports_.at(listener); }
  [[nodiscard]] uint16_t admin_port() const { return admin_port_; }
  [[nodiscard]] pid_t pid() const { return pid_; }
  [[nodiscard]] const std::string& dir() const { return dir_; }
  [[nodiscard]] std::string config_path() const { return dir_ + "/vigie.yaml"; }

  void signal(int sig) const;
  void rewrite_config(const std::string& yaml) const;
  // The exit status once the process ends within the timeout.
  std::optional<int> wait_exit(std::chrono::seconds timeout);
  [[nodiscard]] size_t rss_kib() const;       // VmRSS
  [[nodiscard]] size_t peak_rss_kib() const;  // VmHWM
  [[nodiscard]] std::string admin_get(const std::string& path) const;  // body of GET on the admin port
  [[nodiscard]] std::string stderr_text() const;
  // The value of one metric line (exact name with labels), or -1.
  [[nodiscard]] double metric(const std::string& series) const;
  // Waits (bounded) until the metric reaches at least `value`; returns its last value. For effects
  // that Vigie records just after the client has seen them.
  double wait_metric(const std::string& series, double value, std::chrono::seconds timeout = std::chrono::seconds(10)) const;

 private:
  [[nodiscard]] size_t status_field(const char* name) const;

  std::string dir_;
  pid_t pid_ = -1;
  int pidfd_ = -1;
  bool exited_ = false;
  uint16_t admin_port_ = 0;
  std::map<std::string, uint16_t> ports_;
};

// A free directory under /tmp, removed by the caller.
std::string make_temp_dir();
// Runs a command, returns its exit status and captures stdout+stderr.
int run_command(const std::string& cmd, std::string* output);

}  // namespace vigie::testing
