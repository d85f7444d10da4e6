// `vigie audit verify`: checks the HMAC chain of audit files, in sequence order whatever order the
// files are given in, and reports the first break: a line that is not a sealed record, a sequence
// gap (records deleted), a sequence going back (reordered), or a mac that does not match (altered,
// inserted, or an earlier record removed). What it cannot see: records cut from the very end of
// the newest file (compare with the vigie_audit_state{kind="last_sequence"} metric). CLI only.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vigie::audit {

struct VerifyResult {
  bool ok = true;
  uint64_t records = 0;
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
  std::string problem;             // the first break: "FILE:LINE: seq 42: ..."
  std::vector<std::string> notes;  // what is worth knowing but is no break
};

[[nodiscard]] VerifyResult verify_files(std::vector<std::string> files, std::string_view key);

}  // namespace vigie::audit
