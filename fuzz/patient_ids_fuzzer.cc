// Fuzz target: the audit's reading of a request target. The input is "METHOD path?query" (no space:
// GET); any bytes must give patients that respect the documented limits, an action, and a redacted
// query with the same shape. The path is also tried as a path rule (config::compile_path_rule).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>

#include "audit/patient_ids.h"
#include "config/patient_id_rule.h"

namespace {

using namespace vigie;

bool clean(const audit::Patient& p) {
  size_t max = p.identifier ? audit::kMaxIdentifierBytes : audit::kMaxIdBytes;
  if (p.id.empty() || p.id.size() > max || p.source.empty()) return false;
  for (unsigned char c : p.id) {
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;
    if (!p.identifier && c == ' ') return false;
  }
  return true;
}

size_t count(std::string_view s, char c) {
  size_t n = 0;
  for (char x : s) n += x == c;
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string_view method = "GET";
  if (size_t space = text.find(' '); space != std::string_view::npos) {
    method = text.substr(0, space);
    text.remove_prefix(space + 1);
  }
  size_t q = text.find('?');
  std::string_view path = text.substr(0, q);
  std::string_view query = q == std::string_view::npos ? std::string_view{} : text.substr(q + 1);

  static const audit::PatientIds ids(config::default_patient_id_rules());
  auto patients = ids.find(path, query);
  if (patients.size() > audit::kMaxPatients) __builtin_trap();
  std::unordered_set<std::string> seen;
  for (const auto& p : patients) {
    if (!clean(p)) __builtin_trap();
    if (!seen.insert((p.identifier ? "i" : "d") + p.id).second) __builtin_trap();  // no duplicates
  }

  (void)audit::action_of(method, path, query);

  // Redaction keeps every pair, in order, and hiding twice hides nothing more.
  const auto& params = config::default_redact_params();
  std::string redacted = audit::redact_query(query, params);
  if (count(redacted, '&') != count(query, '&')) __builtin_trap();
  if (audit::redact_query(redacted, params) != redacted) __builtin_trap();

  if (auto rule = config::compile_path_rule(path, config::PatientIdRule::Kind::Identifier)) {
    audit::PatientIds custom({*rule});
    for (const auto& p : custom.find(path, query)) {
      if (!clean(p)) __builtin_trap();
    }
  } else if (rule.error().empty()) {
    __builtin_trap();  // a refusal must say why
  }
  return 0;
}
