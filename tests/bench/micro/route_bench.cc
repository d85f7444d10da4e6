// Route matching on 1,000 routes, loaded from YAML as `vigie` loads its config, through router::Table and
// through a linear walk of the host's routes (the matcher before the path index) as a baseline.
// Build and run (needs libbenchmark-dev; every .cc in tests/bench/micro/ joins the bench_micro binary):
//   cmake --build build-release --target bench_micro && build-release/tests/bench_micro
// The time per iteration is the time per match; --benchmark_filter=route_match keeps these benchmarks.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <regex>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/loader.h"
#include "router/table.h"

namespace vigie::router {
namespace {

struct RouteSpec {
  std::string host;  // "" = any host, "*.example.org" = wildcard
  std::string kind;  // prefix, exact or regex
  std::string path;
  std::string example;  // a request path the route matches
};

struct Request {
  std::string host;
  std::string path;
  std::string method;
};

// Route::matches_path, which Table::match inlines (both live in table.cc) and a call here would not.
bool matches_path(const Route& r, std::string_view path) {
  switch (r.cfg->path_match) {
    case config::PathMatch::Exact: return path == r.cfg->path;
    case config::PathMatch::Prefix: return path.starts_with(r.cfg->path);
    case config::PathMatch::Regex: return std::regex_match(path.begin(), path.end(), *r.regex);
  }
  return false;
}

// The matcher before the path index: the routes that apply to the host, walked in config order.
class LinearScan {
 public:
  LinearScan(const Table& table, const std::vector<Request>& requests) {
    for (const Request& q : requests) {
      if (by_host_.contains(q.host)) continue;
      auto& list = by_host_[q.host];
      for (const Route& r : table.routes()) {
        const std::string& h = r.cfg->host;
        std::string_view suffix = h.starts_with("*.") ? std::string_view(h).substr(1) : "";
        bool wildcard_ok = !suffix.empty() && q.host.size() > suffix.size() && q.host.ends_with(suffix);
        if (h.empty() || h == q.host || wildcard_ok) list.push_back(&r);
      }
    }
  }
  [[nodiscard]] const Route* match(const Request& q) const {
    uint32_t bit = core::method_bit(q.method);
    for (const Route* r : by_host_.find(q.host)->second) {
      if (r->methods != 0 && (r->methods & bit) == 0) continue;
      if (matches_path(*r, q.path)) return r;
    }
    return nullptr;
  }

 private:
  std::unordered_map<std::string, std::vector<const Route*>, StringHash, std::equal_to<>> by_host_;
};

struct Scenario {
  Scenario(const std::vector<RouteSpec>& routes, const std::vector<std::string>& any_hosts, int miss_every);

  std::shared_ptr<const config::Config> config;
  std::unique_ptr<Table> table;
  std::vector<Request> requests;  // a power of two of them, in random order
  std::unique_ptr<LinearScan> linear;
};

std::shared_ptr<const config::Config> load(const std::vector<RouteSpec>& routes) {
  std::string yaml = "listeners: [{port: 1}]\nclusters: [{name: app, endpoints: [\"http://h\"]}]\nroutes:\n";
  for (size_t i = 0; i < routes.size(); ++i) {
    const RouteSpec& r = routes[i];
    yaml += "  - {id: r" + std::to_string(i) + (r.host.empty() ? "" : ", host: \"" + r.host + "\"") +
            ", path: {" + r.kind + ": \"" + r.path + "\"}, cluster: app, auth: public}\n";
  }
  auto cfg = config::load_string(yaml, "route_bench.yaml");
  if (!cfg) {
    std::fprintf(stderr, "route_bench: %s\n", cfg.error()[0].to_string().c_str());
    std::abort();
  }
  return *cfg;
}

// Requests for random routes of the scenario (any-host routes on one of `any_hosts`), and every
// `miss_every`-th one (0 = none) a path no route matches.
Scenario::Scenario(const std::vector<RouteSpec>& routes, const std::vector<std::string>& any_hosts,
                   int miss_every)
    : config(load(routes)), table(std::make_unique<Table>(*config)) {
  std::mt19937 rng(42);
  for (int i = 0; i < 4096; ++i) {
    const RouteSpec& r = routes[rng() % routes.size()];
    std::string host = r.host;
    if (host.empty()) host = any_hosts[rng() % any_hosts.size()];
    if (host.starts_with("*.")) host = "tenant" + host.substr(1);
    bool miss = miss_every != 0 && i % miss_every == 0;
    requests.push_back({host, miss ? "/no-such-app/page" : r.example, "GET"});
  }
  linear = std::make_unique<LinearScan>(*table, requests);
  for (const Request& q : requests) {
    if (table->match(q.host, q.path, q.method) != linear->match(q)) {
      std::fprintf(stderr, "route_bench: Table and LinearScan disagree on %s%s\n", q.host.c_str(),
                   q.path.c_str());
      std::abort();
    }
  }
}

// (a) 100 hosts with 10 applications each.
const Scenario& spread_over_hosts() {
  static const Scenario s = [] {
    std::vector<RouteSpec> routes;
    for (int h = 0; h < 100; ++h) {
      for (int p = 0; p < 10; ++p) {
        std::string host = "host-" + std::to_string(h) + ".example.org";
        std::string prefix = "/app-" + std::to_string(p) + "/";
        routes.push_back({host, "prefix", prefix, prefix + "items/42"});
      }
    }
    return Scenario(routes, {"host-0.example.org"}, 0);
  }();
  return s;
}

// (b) One host fronting 1,000 services.
const Scenario& one_host() {
  static const Scenario s = [] {
    std::vector<RouteSpec> routes;
    for (int n = 0; n < 1000; ++n) {
      std::string prefix = "/svc-" + std::to_string(n) + "/api/";
      routes.push_back({"apps.example.org", "prefix", prefix, prefix + "orders/17"});
    }
    return Scenario(routes, {"apps.example.org"}, 0);
  }();
  return s;
}

// (c) 10 hosts with prefix and exact routes, interleaved with regex, loose-prefix ("/legacy-N"),
// wildcard-host and any-host routes; one request in 16 matches nothing.
const Scenario& mixed() {
  static const Scenario s = [] {
    std::vector<RouteSpec> routes;
    std::vector<std::string> hosts;
    for (int h = 0; h < 10; ++h) hosts.push_back("app-" + std::to_string(h) + ".example.org");
    for (int i = 0; i < 1000; ++i) {
      std::string n = std::to_string(i), host = hosts[(i + i / 50) % 10];  // regexes on every host
      if (i % 50 == 7) {
        routes.push_back({host, "regex", "/report-" + n + "/v[0-9]+/.*", "/report-" + n + "/v2/q"});
      } else if (i % 25 == 3) {
        routes.push_back({"", "prefix", "/shared-" + n + "/", "/shared-" + n + "/x"});
      } else if (i % 25 == 11) {
        routes.push_back({"*.example.org", "prefix", "/wild-" + n + "/", "/wild-" + n + "/x"});
      } else if (i % 25 == 19) {
        routes.push_back({host, "prefix", "/legacy-" + n, "/legacy-" + n + "/page"});
      } else if (i % 2) {
        routes.push_back({host, "exact", "/svc-" + n + "/status", "/svc-" + n + "/status"});
      } else {
        routes.push_back({host, "prefix", "/svc-" + n + "/", "/svc-" + n + "/orders/17"});
      }
    }
    return Scenario(routes, hosts, 16);
  }();
  return s;
}

template <class Match>
void run(benchmark::State& state, const Scenario& s, Match match) {
  size_t i = 0;
  for (auto _ : state) {
    const Request& q = s.requests[i++ & (s.requests.size() - 1)];
    benchmark::DoNotOptimize(match(q));
  }
  state.SetItemsProcessed(state.iterations());
}

void route_match_indexed(benchmark::State& state, const Scenario& (*scenario)()) {
  const Scenario& s = scenario();
  run(state, s, [&](const Request& q) { return s.table->match(q.host, q.path, q.method); });
}

void route_match_linear(benchmark::State& state, const Scenario& (*scenario)()) {
  const Scenario& s = scenario();
  run(state, s, [&](const Request& q) { return s.linear->match(q); });
}

BENCHMARK_CAPTURE(route_match_indexed, a_100_hosts_x_10_paths, spread_over_hosts);
BENCHMARK_CAPTURE(route_match_linear, a_100_hosts_x_10_paths, spread_over_hosts);
BENCHMARK_CAPTURE(route_match_indexed, b_1000_paths_on_one_host, one_host);
BENCHMARK_CAPTURE(route_match_linear, b_1000_paths_on_one_host, one_host);
BENCHMARK_CAPTURE(route_match_indexed, c_mixed_regex_wildcard_any_host, mixed);
BENCHMARK_CAPTURE(route_match_linear, c_mixed_regex_wildcard_any_host, mixed);

}  // namespace
}  // namespace vigie::router
