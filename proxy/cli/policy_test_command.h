// `vigie policy test FILE...`: runs policy test files (authz::run_policy_tests) with the proxy's own
// claims-to-caller and path normalisation, prints the failing cases with their traces and a
// summary. CLI thread only.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace vigie::cli {

// `args` are the words after "policy test". Exit status: 0 all passed, 1 a case failed, 2 a test
// file (or a policy file it names) has errors, or usage.
int policy_test_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace vigie::cli
