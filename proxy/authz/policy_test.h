// Policy test files (`vigie policy test`): YAML cases, each a caller given by its token claims, a
// request and the expected decision, run against the policy files the test file names (relative to
// it). Mistakes in a test file are config-style errors (file:line: key: message); a case whose
// decision, deciding rule or audit flag differs from the expectation fails with its trace. What
// needs authn and http (claims to caller, path normalisation) comes in through TestHooks, so that
// authz stays below them. CLI thread only.
#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "authz/explain.h"
#include "config/error.h"
#include "core/result.h"

namespace vigie::authz {

struct TestHooks {
  // Token claims (an object) to the caller, as the proxy builds it; `kept` names the claims the
  // policies test (policy_claim_names).
  std::function<Caller(const nlohmann::json& claims, uint8_t method, const std::vector<std::string>& kept)>
      caller;
  // A request target ("/path?query") to its normalised path, or why the proxy refuses it (400).
  std::function<core::Result<std::string, std::string>(std::string_view target)> normalise;
  // The time of cases that give none.
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
};

struct CaseResult {
  std::string name;
  std::string file;
  int line = 0;
  std::string policy;
  std::string request;   // as written
  std::string expected;  // "allow", "deny", "justification_required"
  bool passed = false;
  std::vector<std::string> mismatches;  // "expected allow, got deny", ...
  Evaluation evaluation;
};

struct FileResult {
  std::string file;
  config::Errors errors;  // the file's own mistakes and its policy files'; no case runs when any
  std::vector<CaseResult> cases;
};

// Reads and runs one test file.
[[nodiscard]] FileResult run_policy_tests(const std::string& path, const TestHooks& hooks);
// Runs `text` as if read from `path` (policy files are still read from disk, relative to `path`).
[[nodiscard]] FileResult run_policy_tests_text(const std::string& text, const std::string& path,
                                               const TestHooks& hooks);

struct TestSummary {
  size_t cases = 0;
  size_t failed = 0;
  size_t errors = 0;
  // 2 when a test file has errors, 1 when a case failed, else 0.
  [[nodiscard]] int exit_status() const { return errors ? 2 : failed ? 1 : 0; }
};
[[nodiscard]] TestSummary summarise(const std::vector<FileResult>& results);

// One failing case: where, what was expected, the decision, its rule and the trace.
[[nodiscard]] std::string render_failure(const CaseResult& c);
// Every error, every failing case, then "N cases, M failed".
[[nodiscard]] std::string render_report(const std::vector<FileResult>& results);

}  // namespace vigie::authz
