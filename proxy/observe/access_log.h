// The JSON access log: one line per request, written by an spdlog async logger so a worker never
// waits on disk. Entry is filled by the HTTP session on its worker; log() is thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace spdlog {
class logger;
}

namespace vigie::observe {

struct AccessEntry {
  std::chrono::system_clock::time_point time;
  std::string_view request_id;
  std::string_view client;
  std::string_view method;
  std::string_view host;
  std::string_view path;
  std::string_view query;  // empty unless the route allows logging it
  int status = 0;
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
  double duration_s = 0;
  std::string_view upstream;
  std::string_view route;
  std::string_view rc_details;  // why Vigie answered itself, e.g. "no_route", "upstream_timeout"
  std::string_view user;        // the authenticated caller (preferred_username or oid); empty if none
  std::string_view auth;        // how: session, bearer, client_credentials; empty if none
  std::string_view decision;    // the policy's: allow, deny, break_glass; empty on public routes
  std::string_view rule;        // the deciding rule, default_deny or justification_required
};

// Appends s to out as the inside of a JSON string (quotes not included).
void json_escape(std::string& out, std::string_view s);
[[nodiscard]] std::string format_access_entry(const AccessEntry& e);

class AccessLog {
 public:
  // path: "stdout", "off", or a file path (appended to). Throws spdlog::spdlog_ex when the file
  // cannot be opened (start-up boundary).
  explicit AccessLog(const std::string& path);
  ~AccessLog();
  void log(const AccessEntry& e) const;
  void flush() const;

 private:
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace vigie::observe
