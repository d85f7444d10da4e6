// vigie: the command line. `run` (default) serves, `check` validates a config file, `explain` and
// `policy test` are the policy tools, `audit verify` checks the audit chain (proxy/cli), `version`.
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/audit_verify_command.h"
#include "cli/explain_command.h"
#include "cli/policy_test_command.h"
#include "config/loader.h"
#include "http/snapshot.h"
#include "observe/log.h"
#include "server/server.h"

namespace {

constexpr const char* kUsage =
    "usage: vigie [run] --config FILE [--ready-fd N]\n"
    "       vigie check --config FILE\n"
    "       vigie explain --config FILE --claims CLAIMS.json --request 'METHOD https://host/path?query'\n"
    "                     [--auth session|bearer|client_credentials] [--client ADDRESS]\n"
    "                     [--justification TEXT] [--time 2026-12-04T10:00:00Z] [--json]\n"
    "       vigie policy test FILE...\n"
    "       vigie audit verify (--key-file FILE | --key-env NAME | --config FILE) AUDIT_FILE...\n"
    "       vigie version | --version\n";

struct Args {
  std::string command = "run";
  std::string config;
  int ready_fd = -1;
  bool ok = true;
};

Args parse(int argc, char** argv) {
  Args a;
  int i = 1;
  if (i < argc && argv[i][0] != '-') a.command = argv[i++];
  for (; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--version") a.command = "version";
    else if (arg == "--config" && i + 1 < argc) a.config = argv[++i];
    else if (arg == "--ready-fd" && i + 1 < argc) a.ready_fd = std::atoi(argv[++i]);
    else a.ok = false;
  }
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  std::string_view command = argc > 1 ? argv[1] : "";
  try {
    if (command == "explain") {
      return vigie::cli::explain_main({argv + 2, argv + argc}, std::cout, std::cerr);
    }
    if (command == "policy" && argc > 2 && std::string_view(argv[2]) == "test") {
      return vigie::cli::policy_test_main({argv + 3, argv + argc}, std::cout, std::cerr);
    }
    if (command == "audit" && argc > 2 && std::string_view(argv[2]) == "verify") {
      return vigie::cli::audit_verify_main({argv + 3, argv + argc}, std::cout, std::cerr);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vigie %s: %s\n", argv[1], e.what());
    return 2;
  }
  if (command == "policy" || command == "audit") {
    std::fputs(kUsage, stderr);
    return 2;
  }
  Args args = parse(argc, argv);
  if (args.command == "version") {
    std::printf("vigie %s\n", VIGIE_VERSION);
    return 0;
  }
  if (!args.ok || args.config.empty() || (args.command != "run" && args.command != "check")) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  auto cfg = vigie::config::load_file(args.config);
  if (!cfg) {
    for (const auto& e : cfg.error()) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    std::fprintf(stderr, "%zu error(s) in %s\n", cfg.error().size(), args.config.c_str());
    return 1;
  }
  if (args.command == "check") {
    // Build everything a start would build (TLS contexts, key rings, private keys), without
    // binding or fetching, so a key the loader only sees as text is checked here too.
    try {
      vigie::observe::Metrics metrics;
      vigie::oidc::IssuerRegistry issuers;
      (void)vigie::http::build_snapshot(*cfg, metrics, 1, issuers);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s: %s\n", args.config.c_str(), e.what());
      return 1;
    }
    std::printf("%s: ok (%zu listeners, %zu clusters, %zu routes)\n", args.config.c_str(), (*cfg)->listeners.size(),
                (*cfg)->clusters.size(), (*cfg)->routes.size());
    return 0;
  }
  vigie::observe::init_process_log();
  try {
    vigie::server::Server server(args.config, *cfg);
    return server.run(args.ready_fd);
  } catch (const std::exception& e) {
    vigie::observe::log_error(std::string("cannot start: ") + e.what());
    return 1;
  }
}
