// The typed, validated configuration. Built once per load by config::load(), then shared read-only
// by every worker through std::shared_ptr<const Config> (never mutated after load).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/audit.h"
#include "config/identity.h"
#include "config/policy.h"
#include "core/cidr.h"

namespace vigie::config {

using std::chrono::milliseconds;

struct TlsServer {
  std::string cert_file;
  std::string key_file;
};

struct Listener {
  std::string name;
  std::string address = "0.0.0.0";
  uint16_t port = 0;
  std::optional<TlsServer> tls;
};

struct Endpoint {
  bool tls = false;
  std::string host;
  uint16_t port = 0;
  std::string key() const;  // "https://host:port", identifies a connection pool
};

struct UpstreamTls {
  std::string ca_file;      // empty: the system trust store
  std::string server_name;  // empty: the endpoint host
};

struct Cluster {
  std::string name;
  std::vector<Endpoint> endpoints;
  UpstreamTls tls;
  milliseconds connect_timeout{2000};
  milliseconds response_timeout{60000};
  milliseconds idle_timeout{60000};
  uint32_t max_connections = 1024;  // per cluster, split evenly across workers
};

enum class PathMatch { Prefix, Exact, Regex };

struct Route {
  std::string id;
  std::string host;  // "" = any host; "*.example.org" = any subdomain
  PathMatch path_match = PathMatch::Prefix;
  std::string path;
  std::vector<std::string> methods;  // empty = any
  std::string cluster;
  std::optional<std::string> rewrite_prefix;  // replaces the matched prefix (prefix routes only)
  std::optional<uint64_t> max_body_bytes;     // overrides limits.max_body_bytes
  bool websocket = false;
  bool log_query = false;
  AuthMode auth = AuthMode::Public;
  RouteBearer bearer;
  IdentityHeaders headers;
  std::string policy;       // required unless public; the built-in `authenticated` admits any caller
  size_t policy_index = 0;  // into Config::authorization.policies, set by load
  bool audit_patient = false;  // `audit: patient`: every request on it touches patient data
  int line = 0;  // where it was declared, for start-up logs
};

struct Limits {
  uint32_t max_connections = 10000;
  uint32_t request_line_bytes = 8192;
  uint32_t header_bytes = 32768;
  uint32_t header_count = 100;
  uint64_t max_body_bytes = 10ull << 20;
};

struct Timeouts {
  milliseconds request_header{10000};
  milliseconds idle{60000};
  milliseconds body{60000};       // between two reads of a request body
  milliseconds websocket_idle{3600000};
  milliseconds drain{30000};
};

struct Admin {
  std::string address = "127.0.0.1";
  uint16_t port = 9901;
};

struct AccessLog {
  std::string path = "stdout";  // "stdout", "off", or a file path
};

struct Config {
  std::string source;  // the file it came from
  unsigned workers = 0;  // 0 = one per core
  std::vector<Listener> listeners;
  std::vector<Cluster> clusters;
  std::vector<Route> routes;
  core::CidrSet trusted_proxies;
  Limits limits;
  Timeouts timeouts;
  Admin admin;
  AccessLog access_log;
  std::optional<Identity> identity;  // required as soon as one route is not public
  Authorization authorization;       // policies (the built-in `authenticated` always)
  Audit audit;                       // required as soon as a route or policy marks patient data
};

}  // namespace vigie::config
