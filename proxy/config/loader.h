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

[[nodiscard]] core::Result<std::shared_ptr<const Config>, Errors> load_file(const std::string& path);
// Parses `text` as if read from `file` (tests, fuzzing).
[[nodiscard]] core::Result<std::shared_ptr<const Config>, Errors> load_string(const std::string& text,
                                                                               const std::string& file);

}  // namespace vigie::config
