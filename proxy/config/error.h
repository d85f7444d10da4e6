// A configuration error: where it is (file, line, key path) and what is wrong. Load collects all of
// them so the operator fixes a file in one pass.
#pragma once

#include <string>
#include <vector>

namespace vigie::config {

struct Error {
  std::string file;
  int line = 0;  // 1-based; 0 when the error is about the whole file
  std::string key;  // dotted path, e.g. "routes[2].path.prefix"
  std::string message;
  [[nodiscard]] std::string to_string() const;  // "file:line: key: message"
};

using Errors = std::vector<Error>;

}  // namespace vigie::config
