// `vigie audit verify`: checks the HMAC chain of audit trail files (audit::verify_files) and prints
// the range verified, or the first break with its file and line. The key comes from a file, an
// environment variable, or the `audit.key` of a config file. CLI thread only.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace vigie::cli {

// `args` are the words after "audit verify". Exit status: 0 the chain holds, 1 it is broken,
// 2 usage, an unreadable key or config.
int audit_verify_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace vigie::cli
