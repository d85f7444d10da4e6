// The HMAC chain that makes the audit trail tamper-evident. Each record line ends with its
// sequence number and mac = HMAC-SHA256(key, previous mac || seq || "\n" || body), body being the
// line before the chain member. Deleting, altering, inserting or reordering a record breaks the
// chain at that record; only the holder of the key can forge one. Pure functions: the writer
// thread seals, `vigie audit verify` checks.
//   JSON lines:  {...,"seq":42,"mac":"<64 hex>"}
//   FHIR:        {...,"extension":[{"url":"<kChainUrl>","valueString":"42:<64 hex>"}]}
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/audit.h"

namespace vigie::audit {

inline constexpr std::string_view kChainUrl = "https://vigie.dev/fhir/StructureDefinition/audit-chain";

struct ChainState {
  uint64_t seq = 0;                    // of the last record sealed; the next one is seq + 1
  std::string mac = std::string(32, '\0');  // raw; all zero before the first record
};

// Appends the chain member, the closing brace and '\n' to `line` (an encoder's output, an object
// without its closing brace) and advances `state`.
void seal(std::string& line, std::string_view key, ChainState& state, config::AuditFormat format);

struct Sealed {
  std::string_view body;  // what the mac covers
  uint64_t seq = 0;
  std::string mac;        // raw, 32 bytes
};

// Splits a line (without its '\n') into body, seq and mac; nullopt when it carries no chain member.
[[nodiscard]] std::optional<Sealed> unseal(std::string_view line);

// The mac the record should carry after `previous_mac` (raw).
[[nodiscard]] std::string chain_mac(std::string_view key, std::string_view previous_mac, uint64_t seq,
                                    std::string_view body);

}  // namespace vigie::audit
