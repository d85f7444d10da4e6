#include "cli/policy_test_command.h"

#include <ostream>

#include "authz/policy_test.h"
#include "cli/proxy_view.h"

namespace vigie::cli {

int policy_test_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty() || args.front().starts_with("-")) {
    err << "usage: vigie policy test FILE...\n";
    return 2;
  }
  authz::TestHooks hooks = test_hooks();
  std::vector<authz::FileResult> results;
  for (const auto& file : args) results.push_back(authz::run_policy_tests(file, hooks));
  out << authz::render_report(results);
  return authz::summarise(results).exit_status();
}

}  // namespace vigie::cli
