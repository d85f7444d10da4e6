// The `audit:` section: where the audit trail goes (file, stdout or Loki through an on-disk
// spool), how it is encoded (JSON lines or FHIR AuditEvent), how durable a record must be before
// the response is released, the chain key, and how patient identifiers are found in requests.
// Built by config::load(); read-only afterwards. The sinks are opened once at start-up.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/identity.h"
#include "core/path_pattern.h"

namespace vigie::config {

enum class AuditFormat { Json, Fhir };
enum class Durability {
  Sync,   // the response waits until the record is on disk (fdatasync, batched across requests)
  Async,  // written in the background; a crash may lose the last second
};
enum class AuditSinkType { File, Stdout, Loki };

struct AuditSink {
  AuditSinkType type = AuditSinkType::File;
  // File: the live file; rotated files sit beside it as "<path>.<UTC time>". Loki: the spool
  // directory's live file (records wait there, on disk, until Loki has them).
  std::string path;
  uint64_t rotate_bytes = 256ull << 20;  // 0: never by size
  std::chrono::milliseconds rotate_every{std::chrono::hours(24)};  // 0: never by age
  // Loki only.
  std::string loki_url;                        // base URL; /loki/api/v1/push is appended
  std::map<std::string, std::string> labels;   // stream labels; {job="vigie-audit"} by default
  std::string loki_tenant;                     // X-Scope-OrgID, empty: none
  std::optional<Secret> loki_token;            // bearer token, if Loki sits behind auth
  std::string ca_file;                         // https Loki: empty = system trust store
  uint64_t spool_bytes = 1ull << 30;           // unshipped bytes beyond which the sink refuses
};

struct AuditStream {
  AuditSink sink;
  AuditFormat format = AuditFormat::Json;
  Durability durability = Durability::Sync;
};

// One way to find a patient in a request, tried in order on every audited request.
struct PatientIdRule {
  enum class Source { Path, Query };
  enum class Kind {
    Id,          // a resource id (OpenMRS UUID, FHIR Patient id)
    Identifier,  // a business identifier (medical record number): patient.identifier=
  };
  Source source = Source::Path;
  Kind kind = Kind::Id;
  // Path: the pattern with "<id>" matched as "*". Query: the paths the parameter is read on;
  // none (an empty text) for every path.
  core::PathPattern path;
  size_t segment = 0;      // Path: index of the "<id>" segment
  std::string param;       // Query: the parameter name (exact, case-sensitive)
  std::string prefix;      // the value must start with it, and it is removed ("Patient/")
  bool prefix_optional = false;  // a value without the prefix is taken as it is
  std::string text;        // as written, for errors and explain
};

struct Audit {
  bool enabled = false;           // an `audit:` section is present
  std::optional<Secret> key;      // HMAC-SHA256 chain key (at least 32 bytes)
  AuditStream patient;            // patient-data access records
  // Security events (authentication failures, policy denials, break-glass use). Absent: they go
  // to the patient stream, in the same chain.
  std::optional<AuditStream> security;
  std::vector<PatientIdRule> patient_ids;   // the OpenMRS REST and FHIR defaults unless given
  std::vector<std::string> redact_params;   // query parameters whose values a record hides
  int line = 0;
};

}  // namespace vigie::config
