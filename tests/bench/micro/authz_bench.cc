// Routing + policy evaluation, the work of the Route and Authorize stages per request, at the scale
// the authorization issue sets: 1,000 routes (100 hosts x 10 paths), 20 policies of 6 rules (group
// lists, path patterns, a deny rule), a caller in 200 groups. Target: <= 2 us per request.
// Build and run: cmake --build build-release --target bench_micro &&
//   build-release/tests/bench_micro --benchmark_filter=authz
#include <benchmark/benchmark.h>

#include <algorithm>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>
#include <string>
#include <vector>

#include "authz/engine.h"
#include "config/loader.h"
#include "router/table.h"

namespace vigie::authz {
namespace {

constexpr int kHosts = 100;
constexpr int kPathsPerHost = 10;
constexpr int kPolicies = 20;
constexpr int kCallerGroups = 200;

std::string guid(int i) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-0000-4000-8000-%012x", 0x6b1e0000 + i, i);
  return buf;
}

// Policy p: a deny on DELETE under /svc-*/admin/**, then five allow rules over three groups each,
// the last one for group alias g<p*10+9>.
std::string policy_yaml(int p) {
  std::string y = "  p" + std::to_string(p) + ":\n    rules:\n";
  y += "      - {name: no-admin-delete, deny: {methods: [DELETE], paths: [\"/svc-*/admin/**\"]}}\n";
  for (int r = 0; r < 5; ++r) {
    int g = p * 10 + r * 2;
    y += "      - name: r" + std::to_string(r) + "\n        allow:\n          groups: [g" + std::to_string(g) +
         ", g" + std::to_string(g + 1) + ", g" + std::to_string(r == 4 ? p * 10 + 9 : g + 300) + "]\n" +
         "          methods: [GET, HEAD, POST]\n          paths: [\"/svc-*/api/**\", \"/svc-*/{ui,static}/**\"]\n";
  }
  return y;
}

std::string config_yaml(const std::string& policy_file) {
  std::string y = "listeners: [{port: 0}]\nclusters: [{name: up, endpoints: [\"http://127.0.0.1:1\"]}]\n";
  y += "identity:\n  provider:\n    issuer: https://login.microsoftonline.com/" + guid(0) +
       "/v2.0\n    client_id: vigie\n    client_secret: {env: VIGIE_BENCH_SECRET}\n"
       "  session:\n    keys: {env: VIGIE_BENCH_KEYS}\n";
  y += "authorization:\n  policy_files: [" + policy_file + "]\n  groups:\n";
  for (int g = 0; g < 600; ++g) y += "    g" + std::to_string(g) + ": " + guid(g) + "\n";
  y += "routes:\n";
  for (int h = 0; h < kHosts; ++h) {
    for (int p = 0; p < kPathsPerHost; ++p) {
      y += "  - {id: r" + std::to_string(h) + "-" + std::to_string(p) + ", host: host-" + std::to_string(h) +
           ".clinic.example, path: {prefix: /svc-" + std::to_string(p) + "/}, cluster: up, auth: session, policy: p" +
           std::to_string((h * kPathsPerHost + p) % kPolicies) + "}\n";
    }
  }
  return y;
}

struct Bed {
  std::shared_ptr<const config::Config> cfg;
  std::unique_ptr<router::Table> table;
  std::vector<std::string> groups;
  std::vector<std::string> roles;
  std::vector<std::pair<std::string, std::vector<std::string>>> claims;
  std::vector<std::pair<std::string, std::string>> requests;  // host, path

  // `member`: the caller holds the group each policy's last rule asks for (allowed after every
  // other rule failed); otherwise every rule fails (default deny, the slowest answer).
  explicit Bed(bool member) {
    setenv("VIGIE_BENCH_SECRET", "s", 1);
    setenv("VIGIE_BENCH_KEYS", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", 1);
    std::string dir = std::filesystem::temp_directory_path() / ("vigie-authz-bench-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    std::string policies = "policies:\n";
    for (int p = 0; p < kPolicies; ++p) policies += policy_yaml(p);
    std::ofstream(dir + "/policies.yaml") << policies;
    auto loaded = config::load_string(config_yaml(dir + "/policies.yaml"), dir + "/bench.yaml");
    std::filesystem::remove_all(dir);
    if (!loaded) {
      std::fprintf(stderr, "%s\n", loaded.error()[0].to_string().c_str());
      std::abort();
    }
    cfg = *loaded;
    table = std::make_unique<router::Table>(*cfg);
    // 200 groups, none of them in any policy unless `member`.
    for (int g = 0; g < kCallerGroups; ++g) groups.push_back(guid(1000 + g));
    if (member) {
      for (int p = 0; p < kPolicies; ++p) groups[static_cast<size_t>(p)] = guid(p * 10 + 9);
    }
    std::sort(groups.begin(), groups.end());
    for (int i = 0; i < 1000; ++i) {
      requests.emplace_back("host-" + std::to_string(i * 7 % kHosts) + ".clinic.example",
                            "/svc-" + std::to_string(i % kPathsPerHost) + "/api/v1/patient/" + std::to_string(i));
    }
  }
};

void route_and_authorize(benchmark::State& state, bool member) {
  Bed bed(member);
  Facts f;
  f.subject = {config::kAuthSession, "oid", "tid", "", &bed.groups, &bed.roles, &bed.claims};
  f.method = core::method_bit("GET");
  f.client = "10.0.0.1";
  f.now = std::chrono::system_clock::now();
  size_t i = 0;
  size_t allowed = 0;
  for (auto _ : state) {
    const auto& [host, path] = bed.requests[i++ % bed.requests.size()];
    const router::Route* route = bed.table->match(host, path, "GET");
    f.path = path;
    Decision d = evaluate(bed.cfg->authorization.policies[route->cfg->policy_index], f);
    allowed += d.allowed;
    benchmark::DoNotOptimize(d);
  }
  if (allowed != (member ? static_cast<size_t>(state.iterations()) : 0)) {
    state.SkipWithError("unexpected decisions");
  }
}

void authz_allowed_by_last_rule(benchmark::State& state) { route_and_authorize(state, true); }
void authz_default_deny(benchmark::State& state) { route_and_authorize(state, false); }
BENCHMARK(authz_allowed_by_last_rule);
BENCHMARK(authz_default_deny);

}  // namespace
}  // namespace vigie::authz
