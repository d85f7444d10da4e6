// A fresh directory under /tmp (make_temp_dir), removed with everything in it when the object goes.
// For unit tests of code that writes files (audit sinks, the chain verifier). Test thread only.
#pragma once

#include <filesystem>
#include <system_error>

#include "support/vigie_process.h"

namespace vigie::testing {

struct ScratchDir {
  ScratchDir() : path(make_temp_dir()) {}
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  std::filesystem::path path;
};

}  // namespace vigie::testing
