// The audit trails of the process: the patient stream and, when configured apart, the security
// stream, each with its writer thread. Opened once at start-up from the first config (a reload
// that changes `audit:` sinks is logged and applies at the next restart); stopped last, after the
// workers, so every response's record is written. Shared by all workers (Trail is thread-safe).
#pragma once

#include <memory>
#include <string>

#include "audit/record.h"
#include "audit/trail.h"
#include "config/audit.h"
#include "observe/metrics.h"

namespace vigie::audit {

class Trails {
 public:
  // Never null, even when a sink cannot be opened: that trail then refuses (503 for patient data)
  // and keeps probing. `errors` lists what went wrong, for the start-up log.
  [[nodiscard]] static std::unique_ptr<Trails> open(const config::Audit& cfg, observe::Metrics& metrics,
                                                    std::string observer, std::vector<std::string>& errors);
  ~Trails();

  [[nodiscard]] Trail& patient() { return *patient_; }
  [[nodiscard]] Trail& security() { return security_ ? *security_ : *patient_; }
  // The record as `trail` writes it (without its closing brace: the trail seals it).
  [[nodiscard]] std::string encode(const Record& r, const Trail& trail) const;
  void stop();

 private:
  Trails() = default;
  std::string observer_;
  std::unique_ptr<Trail> patient_;
  std::unique_ptr<Trail> security_;
};

}  // namespace vigie::audit
