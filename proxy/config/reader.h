// Walks one YAML mapping, typing its values and remembering which keys were read, so that the keys
// left over are reported as unknown. Errors land in a shared list with file, line and key path.
// Config-load only; not thread-safe.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/error.h"
#include "config/identity.h"

namespace vigie::config {

struct LoadContext {
  std::string file;
  Errors errors;
  // false: secrets are checked for form ({file: PATH} or {env: NAME}) but never read, and their
  // values stay empty; the loader does not open TLS files either (config::LoadOptions). Only for
  // `vigie explain`, which never serves and runs where they are absent.
  bool read_secrets = true;
};

class Reader {
 public:
  Reader(const YAML::Node& node, std::string path, LoadContext& ctx);

  [[nodiscard]] std::optional<std::string> str(const std::string& key, bool required = false);
  [[nodiscard]] std::optional<uint64_t> uint(const std::string& key, uint64_t min, uint64_t max);
  [[nodiscard]] std::optional<bool> boolean(const std::string& key);
  // `zero_allowed`: "0s" means "off" for this setting; otherwise zero is an error.
  [[nodiscard]] std::optional<std::chrono::milliseconds> duration(const std::string& key, bool zero_allowed = false);
  // A list of strings; a single string counts as a list of one.
  [[nodiscard]] std::vector<std::string> strings(const std::string& key);
  // A secret given as {file: PATH} or {env: NAME}, read now (unless the context says not to: then
  // only its source is set); a literal value is refused.
  [[nodiscard]] std::optional<Secret> secret(const std::string& key, bool required = false);
  // Calls `each` with a Reader for every element of the sequence under `key`.
  void each(const std::string& key, const std::function<void(Reader&)>& each, bool required = false);
  // A nested mapping; returns false (and reads nothing) when absent.
  bool child(const std::string& key, const std::function<void(Reader&)>& fn);
  [[nodiscard]] bool has(const std::string& key) const { return node_.IsMap() && node_[key].IsDefined(); }
  // The keys of this mapping in file order (for mappings whose keys are names: policies, aliases).
  [[nodiscard]] std::vector<std::string> keys() const;
  [[nodiscard]] LoadContext& context() { return ctx_; }
  // Marks `key` as read without reading it (its error was already reported another way).
  void skip(const std::string& key) { read_.insert(key); }

  void error(const std::string& key, const std::string& message);
  // The line of `key` in this mapping (the mapping's own line when absent), and its dotted path.
  [[nodiscard]] int key_line(const std::string& key) const;
  [[nodiscard]] std::string key_path(const std::string& key) const;
  [[nodiscard]] int line() const;
  [[nodiscard]] const std::string& path() const { return path_; }
  // Reports keys that were never read. Called by the owner once the mapping is done.
  void finish();

 private:
  [[nodiscard]] YAML::Node get(const std::string& key);
  int line_of(const YAML::Node& n) const;

  YAML::Node node_;
  std::string path_;
  LoadContext& ctx_;
  std::set<std::string> read_;
};

}  // namespace vigie::config
