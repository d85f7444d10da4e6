// Loads a YAML (or JSON) file into a validated Config. Runs on the main thread at start-up, on
// `vigie check` and on reload. Every problem found is returned at once, each naming file, line and key.
// Unknown keys are errors: a typo must never silently weaken security.
#pragma once

#include "core/result.h"
#include <memory>
#include <string>

#include "config/config.h"
#include "config/error.h"

namespace vigie::config {

struct LoadOptions {
  // false: secrets ({file: ...}, {env: ...}) are checked for form but not read, and their values
  // stay empty; the TLS files a deployment mounts beside them (listener certificate and key, cluster
  // CA) are not opened. For `vigie explain` on a laptop that has the config and the policies but
  // none of those. A config loaded so never serves.
  bool read_secrets = true;
};

[[nodiscard]] core::Result<std::shared_ptr<const Config>, Errors> load_file(const std::string& path,
                                                                             LoadOptions options = {});
// Parses `text` as if read from `file` (tests, fuzzing).
[[nodiscard]] core::Result<std::shared_ptr<const Config>, Errors> load_string(const std::string& text,
                                                                               const std::string& file,
                                                                               LoadOptions options = {});

}  // namespace vigie::config
